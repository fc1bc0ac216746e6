/** Renders every error as `{"error":{"code","message"}}` with the AppError's status; internals are only logged. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, toAppError } from "../../domain/errors.ts";

export function errorResponse(c: Context, err: unknown) {
  let e: AppError;
  if (err instanceof HTTPException) {
    e = new AppError(
      err.status === 413 ? "too_large" : "bad_request",
      err.status,
      err.message || "Bad request",
    );
  } else if (err instanceof SyntaxError) {
    e = new AppError("invalid_json", 400, "The request body is not valid JSON");
  } else e = toAppError(err);
  const headers: Record<string, string> = {};
  if (typeof e.extra.retryAfter === "number") headers["Retry-After"] = String(e.extra.retryAfter);
  return c.json({ error: e.toJSON() }, e.status as 400, headers);
}

/** Reads a JSON body; a missing or malformed body becomes a clear 400. */
export async function jsonBody(c: Context): Promise<unknown> {
  // The body's size was checked before it was read (limitBodies); this guards callers outside the app.
  const text = await c.req.text();
  if (text.length > 4 * 1024 * 1024) throw new AppError("too_large", 413, "The request body is too large");
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", 400, "The request body is not valid JSON");
  }
}

/** Parses a positive integer path parameter. */
export function idParam(c: Context, name: string): number {
  const raw = c.req.param(name) ?? "";
  const n = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) {
    throw new AppError("invalid_input", 400, `${name}: must be a positive integer`);
  }
  return n;
}
