/** domain/coalesce.ts: writes submitted while one runs go together in the next; failures reach their callers. */
import assert from "node:assert/strict";
import { coalescing } from "../../domain/coalesce.ts";

Deno.test("a lone write goes at once; a burst during it is one more call", async () => {
  const calls: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const submit = coalescing<number>(async (items) => {
    calls.push(items);
    if (calls.length === 1) await gate;
  });
  const first = submit(1);
  const burst = [submit(2), submit(3), submit(4)];
  assert.deepEqual(calls, [[1]]);
  release();
  await Promise.all([first, ...burst]);
  assert.deepEqual(calls, [[1], [2, 3, 4]]);
});

Deno.test("a failed batch rejects its own submits only, and the next batch still runs", async () => {
  const submit = coalescing<number>((items) =>
    items.includes(13) ? Promise.reject(new Error("bad")) : Promise.resolve()
  );
  await assert.rejects(submit(13), /bad/);
  await submit(14);
});

Deno.test("batches are cut at the maximum size", async () => {
  const sizes: number[] = [];
  const submit = coalescing<number>((items) => {
    sizes.push(items.length);
    return Promise.resolve();
  }, 2);
  await Promise.all([1, 2, 3, 4, 5].map((n) => submit(n)));
  assert.deepEqual(sizes, [1, 2, 2]);
});
