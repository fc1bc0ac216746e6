/**
 * Response compression: brotli when the client accepts it, else gzip, for text-like responses above a
 * small threshold (HTML pages, JSON, scripts, styles, SVG). Responses that already carry an encoding
 * (the pre-compressed bundles under /static/build) and WebSocket upgrades pass through untouched. Downloads
 * (`content-disposition: attachment`: the exports) are gzipped as a stream, never buffered whole.
 */
import type { MiddlewareHandler } from "hono";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml)|image\/svg\+xml)/;

/** Which encoding to use for an Accept-Encoding header: "br", "gzip" or null. */
export function pickEncoding(accept: string | undefined): "br" | "gzip" | null {
  const offered = new Map<string, number>();
  for (const part of (accept ?? "").toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    offered.set(name.trim(), q ? Number(q.slice(2)) || 0 : 1);
  }
  if ((offered.get("br") ?? 0) > 0) return "br";
  if ((offered.get("gzip") ?? 0) > 0) return "gzip";
  return null;
}

/**
 * Brotli's quality per request: 4 for JSON, 5 for the rest (HTML, scripts, SVG). On the API's JSON (a history
 * page of 16.8 KB: 728 against 725 bytes, 0.25 against 0.37 ms; `bench/compress_levels.ts`) quality 4 gives
 * the bytes of 5 in two thirds of the time; on pages' HTML 5 is 6-7 % smaller (bench/notes/history_page.md,
 * "The history page's server time and the floor of a request", fifteenth pass).
 */
export const BROTLI_JSON_QUALITY = 4;
export const BROTLI_QUALITY = 5;

/**
 * Compresses bytes as a build step would (brotli at its best quality) or per request (faster; `json`: the
 * quality for JSON).
 */
export function encode(data: Uint8Array, enc: "br" | "gzip", best = false, json = false): Uint8Array {
  const quality = best ? 11 : json ? BROTLI_JSON_QUALITY : BROTLI_QUALITY;
  return enc === "br"
    ? brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: quality } })
    : gzipSync(data, { level: best ? 9 : 6 });
}

export function compress(opts: { threshold?: number } = {}): MiddlewareHandler {
  const threshold = opts.threshold ?? 1024;
  return async function compression(c, next) {
    await next();
    const res = c.res;
    if (res.status === 101 || res.status === 204 || res.status === 304) return;
    if (res.headers.has("content-encoding") || c.req.method === "HEAD") return;
    const type = res.headers.get("content-type") ?? "";
    if (!COMPRESSIBLE.test(type)) return;
    const headers = new Headers(res.headers);
    headers.append("vary", "Accept-Encoding");
    const enc = pickEncoding(c.req.header("accept-encoding"));
    if (/^attachment/.test(res.headers.get("content-disposition") ?? "")) {
      // Downloads (exports) are streams of any size: compress them as they flow, never buffer them.
      if (!res.body) return;
      if (!(c.req.header("accept-encoding") ?? "").toLowerCase().includes("gzip")) return;
      headers.set("content-encoding", "gzip");
      headers.delete("content-length");
      c.res = undefined as unknown as Response;
      c.res = new Response(res.body.pipeThrough(new CompressionStream("gzip")), {
        status: res.status,
        statusText: res.statusText,
        headers,
      });
      return;
    }
    const body = new Uint8Array(await res.arrayBuffer());
    if (!body.byteLength) {
      c.res = undefined as unknown as Response;
      c.res = new Response(null, { status: res.status, statusText: res.statusText, headers: res.headers });
      return;
    }
    let out: Uint8Array = body;
    if (enc && body.byteLength >= threshold) {
      out = encode(body, enc, false, type.startsWith("application/json"));
      headers.set("content-encoding", enc);
    }
    headers.delete("content-length");
    // Unset first: Hono would otherwise merge the old response's headers into the new one.
    c.res = undefined as unknown as Response;
    c.res = new Response(out as Uint8Array<ArrayBuffer>, {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  };
}
