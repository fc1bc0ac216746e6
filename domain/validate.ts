/** Parses untrusted input with a zod schema; failures become one clear `invalid_input` AppError. */
import type { z } from "zod";
import { invalid } from "./errors.ts";

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  // The path is built only for an input that has a NUL (most have none: every frame and body comes here).
  const nul = hasNul(input, 0) ? nulPath(input, "", 0) : null;
  if (nul !== null) {
    const message = "may not contain NUL characters";
    throw invalid(`${nul || "input"}: ${message}`, [{ path: nul, message }]);
  }
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = issues[0];
  throw invalid(first ? `${first.path || "input"}: ${first.message}` : "Invalid input", issues);
}

/** Where a string holds U+0000, which Postgres text cannot store (it would fail in the database as a 500). */
function nulPath(v: unknown, path: string, depth: number): string | null {
  if (typeof v === "string") return v.includes("\u0000") ? path : null;
  if (depth > 20 || !v || typeof v !== "object") return null;
  for (const [k, x] of Object.entries(v)) {
    const p = nulPath(x, path ? `${path}.${k}` : k, depth + 1);
    if (p !== null) return p;
  }
  return null;
}

/** Whether `nulPath` would find one: the same walk (own enumerable keys, 20 levels), with no path strings. */
function hasNul(v: unknown, depth: number): boolean {
  if (typeof v === "string") return v.includes("\u0000");
  if (depth > 20 || !v || typeof v !== "object") return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (hasNul(v[i], depth + 1)) return true;
    return false;
  }
  for (const k in v) {
    if (Object.hasOwn(v, k) && hasNul((v as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}
