/**
 * Bytes V8 allocates per call of a few things the send path does (`node:v8`'s `total_allocated_bytes` before
 * and after N calls, after a full GC): a timer set and cleared, a timer that fires, the send frame's and the
 * send input's zod parses against the checks that skip them (bench/notes/allocation_per_message.md).
 *
 *   deno run -A --v8-flags=--expose-gc bench/alloc_probe.ts [N]
 */
import { getHeapStatistics } from "node:v8";
import { plainSend } from "../domain/send_fast_check.ts";
import { sendSchema } from "../domain/messages.ts";
import { parse } from "../domain/validate.ts";
import { plainSendFrame, SCHEMAS } from "../realtime/server/frames.ts";

const N = Number(Deno.args[0] ?? 20000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");
const allocated = () =>
  (getHeapStatistics() as unknown as { total_allocated_bytes: number }).total_allocated_bytes;

async function probe(name: string, f: (i: number) => unknown | Promise<unknown>, batch = 1) {
  gc!();
  const a0 = allocated();
  for (let i = 0; i < N; i += batch) await f(i);
  console.log(`${name.padEnd(44)} ${((allocated() - a0) / N).toFixed(0).padStart(6)} B each`);
}

const frame = () =>
  JSON.parse(
    `{"id":"17","action":"send_message","channelId":42,"clientId":"c-1-17","body":"hello there ~1796379175121.53~"}`,
  );
const input = { channelId: 42, clientId: "c-1-17", body: "hello there ~1796379175121.53~" };
await probe("nothing", () => {});
await probe("JSON.parse of a send frame", () => frame());
await probe("setTimeout + clearTimeout", () => clearTimeout(setTimeout(() => {}, 5)));
await probe(
  "setTimeout that fires (100 at a time)",
  () => Promise.all(Array.from({ length: 100 }, () => new Promise((r) => setTimeout(r, 1)))),
  100,
);
await probe("zod: the send frame's schema", () => parse(SCHEMAS.send_message, frame()));
await probe("plainSendFrame", () => plainSendFrame(frame()));
await probe("zod: the send input's schema", () => parse(sendSchema(4000), { ...input }));
await probe("plainSend", () => plainSend({ ...input }, 4000));
