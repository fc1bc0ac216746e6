/**
 * The file settings, in one place until the settings registry lands: per-workspace limits (stored in
 * `workspace_settings`) with their defaults, and the storage backend (server configuration, from the env).
 */
import { z } from "zod";
import type { Sql } from "../db/client.ts";
import * as workspacesRepo from "../db/repos/workspaces.ts";

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

export const FILE_SETTINGS = {
  "files.max_bytes": { schema: z.number().int().min(1).max(1024 * 1024 * 1024), default: 10 * 1024 * 1024 },
  "files.allowed_types": {
    schema: z.array(z.string().min(3).max(127)).max(200),
    default: DEFAULT_ALLOWED_TYPES,
  },
} as const;

export interface FileSettings {
  maxBytes: number;
  allowedTypes: string[];
}

export async function fileSettings(sql: Sql, workspaceId: number): Promise<FileSettings> {
  const s = await workspacesRepo.settings(sql, workspaceId);
  const max = FILE_SETTINGS["files.max_bytes"].schema.safeParse(s["files.max_bytes"]);
  const types = FILE_SETTINGS["files.allowed_types"].schema.safeParse(s["files.allowed_types"]);
  return {
    maxBytes: max.success ? max.data : FILE_SETTINGS["files.max_bytes"].default,
    allowedTypes: (types.success ? types.data : FILE_SETTINGS["files.allowed_types"].default)
      .filter((t) => !NEVER_ALLOWED.includes(t)),
  };
}
