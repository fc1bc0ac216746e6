/** Parses untrusted input with a zod schema; failures become one clear `invalid_input` AppError. */
import type { z } from "zod";
import { invalid } from "./errors.ts";

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const nul = nulPath(input, "", 0);
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
