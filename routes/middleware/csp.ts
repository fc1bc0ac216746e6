/**
 * Content-Security-Policy on every HTML response: scripts only from Parley's own origin (plus the inline
 * theme boot script, allowed by its hash), no plugins, no <base> tricks, forms only to ourselves, and
 * `frame-ancestors` from FRAME_ANCESTORS so embedding Parley's pages is allowed only deliberately.
 * Styles may be inline (the theme variables and the widget's shadow-root styles are). JSON data blocks
 * (`<script type="application/json">`) are not scripts and need no allowance.
 */
import type { MiddlewareHandler } from "hono";
import { INLINE_SCRIPT_HASHES } from "../../components/Document.tsx";

/** The policy for a given `frame-ancestors` source list (e.g. `'none'`, or `'self' https://intranet.example`). */
export function contentSecurityPolicy(frameAncestors: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${INLINE_SCRIPT_HASHES.map((h) => `'${h}'`).join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join("; ");
}

export function securityPolicy(frameAncestors: string): MiddlewareHandler {
  const policy = contentSecurityPolicy(frameAncestors);
  const framingDenied = frameAncestors === "'none'";
  return async function securityPolicy(c, next) {
    await next();
    if (!(c.res.headers.get("content-type") ?? "").startsWith("text/html")) return;
    // A response with a policy of its own (a served file's sandbox, the API docs) keeps it, with
    // frame-ancestors added when it has none.
    const own = c.res.headers.get("Content-Security-Policy");
    if (own) {
      if (!/frame-ancestors/.test(own)) {
        c.res.headers.set("Content-Security-Policy", `${own}; frame-ancestors ${frameAncestors}`);
      }
    } else c.res.headers.set("Content-Security-Policy", policy);
    // The older header, for browsers without frame-ancestors; it cannot express an allow-list.
    if (framingDenied) c.res.headers.set("X-Frame-Options", "DENY");
    else c.res.headers.delete("X-Frame-Options");
  };
}
