/** Parses untrusted input with a zod schema; failures become one clear `invalid_input` AppError. */
import type { z } from "zod";
import { invalid } from "./errors.ts";

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = issues[0];
  throw invalid(first ? `${first.path || "input"}: ${first.message}` : "Invalid input", issues);
}
