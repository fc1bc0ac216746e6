/**
 * What a file is, decided by its first bytes (magic numbers via `file-type`), never by its name or the
 * browser's claim. Text with no magic number is plain text unless it looks like markup (HTML, SVG, XML),
 * which is refused: an upload must never be something a browser would render as a page.
 */
import { fileTypeFromBuffer } from "file-type";

export const SNIFF_BYTES = 4100;

export type FileKind = "image" | "video" | "audio" | "pdf" | "file";

export interface Sniffed {
  mime: string;
  kind: FileKind;
}

const MARKUP =
  /^\s*<(?:!doctype|html|head|body|svg|\?xml|script|iframe|object|embed|meta|!--|[a-z][\w:-]*[\s>/])/i;

function looksLikeText(b: Uint8Array): boolean {
  if (b.includes(0)) return false;
  try {
    // A cut at the end may split a character: allow an incomplete sequence there.
    new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(0, Math.max(0, b.length - 4)));
    return true;
  } catch {
    return false;
  }
}

export function kindOf(mime: string): FileKind {
  if (mime === "application/pdf") return "pdf";
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("audio/")) return "audio";
  return "file";
}

/** The type of a file from its first bytes; markup is reported as text/html so that it is refused. */
export async function sniff(head: Uint8Array): Promise<Sniffed> {
  const t = await fileTypeFromBuffer(head);
  if (t) {
    const mime = t.mime === "application/xml" ? "application/xml" : t.mime;
    return { mime, kind: kindOf(mime) };
  }
  if (looksLikeText(head)) {
    const text = new TextDecoder().decode(head).replace(/^\uFEFF/, "");
    if (MARKUP.test(text) || /<(?:script|svg|html)\b/i.test(text)) return { mime: "text/html", kind: "file" };
    return { mime: "text/plain", kind: "file" };
  }
  return { mime: "application/octet-stream", kind: "file" };
}

/** Types shown in the page (inline): images Parley re-encoded, and audio and video. Everything else downloads. */
export const INLINE_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "audio/mpeg",
  "audio/ogg",
  "audio/wav",
  "audio/x-wav",
  "video/mp4",
  "video/webm",
]);
