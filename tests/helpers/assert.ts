/** Assertions shared by the domain and HTTP tests. */
import assert from "node:assert/strict";
import type { AppError } from "../../domain/errors.ts";

/** Asserts that `p` rejects with an AppError of this status (and code, when given). */
export async function refused(p: Promise<unknown>, status: number, code?: string): Promise<void> {
  await assert.rejects(p, (e: AppError) => {
    assert.equal(e.status, status, `expected ${status}, got ${e.status} ${e.code}: ${e.message}`);
    if (code) assert.equal(e.code, code, e.message);
    return true;
  });
}
