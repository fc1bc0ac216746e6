/**
 * Image previews with `wasm-vips` (libvips in WebAssembly: runs in Deno and on Deno Deploy, no native
 * library). Every image Parley serves is re-encoded here: turned upright, metadata dropped (EXIF with its
 * GPS location, XMP, comments), so what is served never carries where a photo was taken. The module is
 * loaded on first use (about 0.3 s), not at start.
 */
import type { FileKind } from "./file_sniff.ts";

export interface ProcessedImage {
  /** The image at its own size, upright, no metadata, in its own format. */
  full: Uint8Array;
  /** At most 320 x 320, WebP. */
  thumb: Uint8Array;
  width: number;
  height: number;
}

export interface ImageProcessor {
  process(bytes: Uint8Array, mime: string): Promise<ProcessedImage>;
}

/** Formats re-encoded here; other image types (rare ones file-type knows) are kept as plain files. */
export const PROCESSED = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);
export const MAX_PIXELS = 50_000_000;

const SUFFIX: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/webp": ".webp",
  "image/gif": ".gif",
};

export function effectiveKind(mime: string, kind: FileKind): FileKind {
  return kind === "image" && !PROCESSED.has(mime) ? "file" : kind;
}

// deno-lint-ignore no-explicit-any
type Vips = any;

export function vipsImageProcessor(): ImageProcessor {
  let loading: Promise<Vips> | null = null;
  const load = () => loading ??= import("wasm-vips").then((m) => m.default({ dynamicLibraries: [] }));
  return {
    async process(bytes, mime) {
      const vips = await load();
      const suffix = SUFFIX[mime];
      if (!suffix) throw new Error(`not an image type Parley re-encodes: ${mime}`);
      const owned: { delete(): void }[] = [];
      const keep = <T extends { delete(): void }>(x: T) => (owned.push(x), x);
      try {
        const src = keep(vips.Image.newFromBuffer(bytes, "", mime === "image/gif" ? { n: -1 } : {}));
        const pageHeight = mime === "image/gif" ? src.pageHeight : src.height;
        if (src.width * pageHeight > MAX_PIXELS) throw new Error("image too large to process");
        const upright = mime === "image/gif" ? src : keep(src.autorot());
        const opts: Record<string, unknown> = { keep: "none" };
        if (mime === "image/jpeg" || mime === "image/webp") opts.Q = 88;
        const full = upright.writeToBuffer(suffix, opts) as Uint8Array;
        const t = keep(vips.Image.thumbnailBuffer(bytes, 320, { height: 320, size: "down" }));
        const thumb = t.writeToBuffer(".webp", { keep: "none", Q: 80 }) as Uint8Array;
        return { full, thumb, width: upright.width, height: pageHeight };
      } finally {
        for (const o of owned) o.delete();
      }
    },
  };
}
