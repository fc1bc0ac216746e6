/**
 * File routes under /api/chat (mounted by `chat.ts`, behind its `requireAuth`): upload as the raw request
 * body (streamed, never buffered whole), serve with the conversation's permission checked per request,
 * the conversation's "Files" list, and cancelling an unsent upload.
 */
import { Hono } from "hono";
import * as files from "../../domain/files.ts";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { idParam } from "../middleware/errors.ts";
import type { BodyLimitRule } from "../middleware/body_limit.ts";

/** Headers on every file response: never sniffed, never a page of Parley's origin, never framed. */
export const FILE_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy":
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "private, max-age=3600",
};

/**
 * The upload route's body limit (routes/middleware/body_limit.ts): the largest `files.max_bytes` allows,
 * with a declared length, so the body streams to storage unbuffered; the workspace's own limit is
 * checked by `files.upload` against the declared length.
 */
export const UPLOAD_BODY_LIMIT: BodyLimitRule = {
  prefix: /^\/api\/(chat\/channels\/[^/]+\/files|visitor\/files)$/,
  maxBytes: 1024 * 1024 * 1024,
  lengthRequired: true,
};

function disposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** A stored file as a response: its type, disposition, ranges, and the headers that keep it inert. */
export function fileResponse(
  o: {
    file: { name: string };
    mime: string;
    size: number;
    inline: boolean;
    body: ReadableStream<Uint8Array>;
    range: { start: number; end: number } | null;
  },
  variant: "original" | "thumb",
): Response {
  const headers = new Headers(FILE_HEADERS);
  headers.set("Content-Type", o.mime);
  const name = variant === "thumb" ? `${o.file.name}.webp` : o.file.name;
  headers.set("Content-Disposition", disposition(o.inline ? "inline" : "attachment", name));
  if (variant === "original") {
    headers.set("Accept-Ranges", "bytes");
    if (o.range) {
      headers.set("Content-Range", `bytes ${o.range.start}-${o.range.end}/${o.size}`);
      headers.set("Content-Length", String(o.range.end - o.range.start + 1));
      return new Response(o.body, { status: 206, headers });
    }
    headers.set("Content-Length", String(o.size));
  }
  return new Response(o.body, { status: 200, headers });
}

export function fileRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.post("/channels/:id/files", async (c) => {
    const len = c.req.header("content-length");
    const f = await files.upload(deps, c.get("actor"), idParam(c, "id"), {
      name: c.req.query("name") ?? "file",
      size: len !== undefined && /^\d{1,12}$/.test(len) ? Number(len) : null,
      body: c.req.raw.body,
    });
    return c.json({ file: f }, 201);
  });

  app.get(
    "/channels/:id/files",
    async (c) =>
      c.json({ files: await files.ofChannel(deps, c.get("actor"), idParam(c, "id"), c.req.query()) }),
  );

  app.get("/files/:id", async (c) => {
    const variant = c.req.query("variant") === "thumb" ? "thumb" : "original";
    const o = await files.open(deps, c.get("actor"), idParam(c, "id"), {
      variant,
      range: c.req.header("range"),
    });
    return fileResponse(o, variant);
  });

  app.delete("/files/:id", async (c) => {
    await files.discard(deps, c.get("actor"), idParam(c, "id"));
    return c.json({ ok: true });
  });

  return app;
}
