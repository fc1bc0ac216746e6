/** Workspace settings of files: the size limit and the allow-list of types (decided by content). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

/** Types people share at work, decided by content. HTML, SVG and XML are never accepted. */
export const DEFAULT_ALLOWED_TYPES = [
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "application/pdf",
  "text/plain",
  "audio/mpeg",
  "audio/ogg",
  "audio/wav",
  "audio/x-wav",
  "video/mp4",
  "video/webm",
  "video/quicktime",
  "application/zip",
  "application/x-7z-compressed",
  "application/gzip",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
];

/** Never allowed, whatever a workspace lists: rendered as active content by browsers. */
export const NEVER_ALLOWED = [
  "text/html",
  "image/svg+xml",
  "application/xml",
  "text/xml",
  "application/xhtml+xml",
];

export const fileSettings = defineSettings("files", {
  "files.max_bytes": setting({
    schema: z.number().int().min(1).max(1024 * 1024 * 1024),
    default: 10 * 1024 * 1024,
    group: "Files",
    label: "Largest file",
    description: "Files larger than this many bytes are refused (10 MB by default).",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "files.allowed_types": setting({
    schema: z.array(z.string().min(3).max(127).refine((t) => !NEVER_ALLOWED.includes(t), "is never allowed"))
      .max(200),
    default: DEFAULT_ALLOWED_TYPES,
    group: "Files",
    label: "Allowed file types",
    description: "MIME types people may share, decided from each file's content. HTML, SVG and XML are " +
      "never allowed.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
});
