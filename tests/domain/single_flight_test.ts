/** SingleFlight: one run at a time per key; callers during a run share one more run that starts after it. */
import assert from "node:assert/strict";
import { SingleFlight } from "../../domain/single_flight.ts";

Deno.test("callers during a run share one later run; other keys run alongside; failures reach callers", async () => {
  const runs = new SingleFlight<number>();
  const log: string[] = [];
  let gate = Promise.withResolvers<void>();
  let n = 0;
  const work = (key: number) => async () => {
    const i = ++n;
    log.push(`start ${key}:${i}`);
    if (key === 1) await gate.promise;
    log.push(`end ${key}:${i}`);
  };
  const first = runs.run(1, work(1));
  const later = [runs.run(1, work(1)), runs.run(1, work(1)), runs.run(1, work(1))];
  await runs.run(2, work(2)); // another key is not held up by key 1
  assert.deepEqual(log, ["start 1:1", "start 2:2", "end 2:2"]);
  const g = gate;
  gate = Promise.withResolvers<void>();
  g.resolve();
  await first;
  await new Promise((r) => setTimeout(r, 0));
  // The three callers share one run, started after the first ended (so it sees what they changed).
  assert.deepEqual(log.slice(3), ["end 1:1", "start 1:3"]);
  gate.resolve();
  await Promise.all(later);
  assert.deepEqual(log.slice(5), ["end 1:3"]);
  assert.equal(n, 3);
  // Idle again: a new call runs at once; a failure reaches its callers and does not block the next run.
  await assert.rejects(runs.run(1, () => Promise.reject(new Error("boom"))), /boom/);
  await runs.run(1, work(2));
  assert.equal(n, 4);
});
