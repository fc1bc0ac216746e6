/**
 * Request body limits, applied to every route before anything reads the body: a declared
 * `Content-Length` over the limit is refused at once (413 `too_large`), and a body without one (chunked,
 * HTTP/2) is counted as it streams and refused as soon as it passes the limit. The default is
 * BODY_LIMIT_BYTES; a route that needs more (uploads) registers its own rule by path prefix, and the
 * longest matching prefix wins.
 *
 * @example
 * app.use("*", limitBodies(256 * 1024, [{ prefix: "/api/files", maxBytes: 50 * 1024 * 1024 }]));
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../domain/errors.ts";

export interface BodyLimitRule {
  /** Path prefix, matched at a segment boundary ("/api/files" covers "/api/files/123", not "/api/filesx"). */
  prefix: string;
  maxBytes: number;
}

function limiter(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError("too_large", 413, `The request body is larger than ${maxBytes} bytes`, { maxBytes });
    },
  });
}

export function limitBodies(defaultBytes: number, rules: BodyLimitRule[] = []): MiddlewareHandler {
  const fallback = limiter(defaultBytes);
  const ordered = [...rules].sort((a, b) => b.prefix.length - a.prefix.length)
    .map((r) => ({ prefix: r.prefix.replace(/\/+$/, ""), run: limiter(r.maxBytes) }));
  return async function limitBodies(c, next) {
    const path = c.req.path;
    const rule = ordered.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
    return await (rule ?? { run: fallback }).run(c, next);
  };
}
