/**
 * Request body limits, applied to every route before anything reads the body: a declared
 * `Content-Length` over the limit is refused at once (413 `too_large`), and a body without one (chunked,
 * HTTP/2) is counted as it streams and refused as soon as it passes the limit. The default is
 * BODY_LIMIT_BYTES; a route that needs more (uploads) registers its own rule by path prefix, and the
 * longest matching prefix wins.
 *
 * @example
 * app.use("*", limitBodies(256 * 1024, [{ prefix: /^\/api\/upload\/\d+$/, maxBytes: 2 ** 30, lengthRequired: true }]));
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../domain/errors.ts";

export interface BodyLimitRule {
  /**
   * A path prefix, matched at a segment boundary ("/api/files" covers "/api/files/123", not "/api/filesx"),
   * or a pattern tested against the whole path (for routes with parameters).
   */
  prefix: string | RegExp;
  maxBytes: number;
  /**
   * Require a Content-Length (else 411): for large bodies that the route streams, so that nothing here
   * buffers them; the declared length is checked against `maxBytes` before the route runs.
   */
  lengthRequired?: boolean;
}

function limiter(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError("too_large", 413, `The request body is larger than ${maxBytes} bytes`, { maxBytes });
    },
  });
}

function lengthRequired(maxBytes: number): MiddlewareHandler {
  const limit = limiter(maxBytes);
  return async function lengthRequired(c, next) {
    if (c.req.raw.body && !/^\d{1,15}$/.test(c.req.header("content-length") ?? "")) {
      throw new AppError("length_required", 411, "This request must declare its size (Content-Length)");
    }
    return await limit(c, next);
  };
}

export function limitBodies(defaultBytes: number, rules: BodyLimitRule[] = []): MiddlewareHandler {
  const fallback = limiter(defaultBytes);
  const weight = (r: BodyLimitRule) => (typeof r.prefix === "string" ? r.prefix.length : 10_000);
  const ordered = [...rules].sort((a, b) => weight(b) - weight(a)).map((r) => {
    const prefix = typeof r.prefix === "string" ? r.prefix.replace(/\/+$/, "") : r.prefix;
    const matches = (path: string) =>
      typeof prefix === "string" ? path === prefix || path.startsWith(`${prefix}/`) : prefix.test(path);
    return { matches, run: r.lengthRequired ? lengthRequired(r.maxBytes) : limiter(r.maxBytes) };
  });
  return async function limitBodies(c, next) {
    const path = c.req.path;
    const rule = ordered.find((r) => r.matches(path));
    return await (rule ?? { run: fallback }).run(c, next);
  };
}
