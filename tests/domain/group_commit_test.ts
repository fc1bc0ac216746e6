/** domain/group_commit.ts: per-item answers, batches in flight up to the limit, a failed batch rejects its own. */
import assert from "node:assert/strict";
import { GroupCommit } from "../../domain/group_commit.ts";

/**
 * A store that records each batch and waits until the test opens its gate (`gates[i]()` for the i-th batch);
 * `answer` maps the batch's items to what each submit gets.
 */
function gatedStore<T, R>(answer: (items: T[]) => R[]) {
  const calls: T[][] = [];
  const gates: (() => void)[] = [];
  const store = async (items: T[]) => {
    calls.push(items);
    await new Promise<void>((r) => gates.push(r));
    return answer(items);
  };
  return { calls, gates, store };
}

Deno.test("each submit gets its own item's answer; items arriving meanwhile share the next batch", async () => {
  const { calls, gates, store } = gatedStore<number, string>((items) => items.map((n) => `stored ${n}`));
  const g = new GroupCommit(store, { maxBatch: 10 });
  const first = g.submit(1);
  const burst = [g.submit(2), g.submit(3)];
  assert.deepEqual(calls, [[1]], "a lone item goes at once; one batch in flight by default");
  gates[0]();
  assert.equal(await first, "stored 1");
  while (calls.length < 2) await Promise.resolve();
  gates[1]();
  assert.deepEqual(await Promise.all(burst), ["stored 2", "stored 3"]);
  assert.deepEqual(calls, [[1], [2, 3]]);
});

Deno.test("up to inFlight batches run at once, read at every start", async () => {
  let limit = 2;
  let running = 0;
  let most = 0;
  const gates: (() => void)[] = [];
  const g = new GroupCommit<number, number>(async (items) => {
    running++;
    most = Math.max(most, running);
    await new Promise<void>((r) => gates.push(r));
    running--;
    return items;
  }, { maxBatch: 1, inFlight: () => limit });
  const all = [1, 2, 3, 4].map((n) => g.submit(n));
  assert.equal(running, 2);
  limit = 3;
  gates.shift()!(); // one ends: two more may start now
  while (gates.length < 3) await new Promise((r) => setTimeout(r, 1));
  for (const open of gates.splice(0)) open();
  assert.deepEqual(await Promise.all(all), [1, 2, 3, 4]);
  assert.equal(most, 3);
});

Deno.test("a failed batch rejects its own submits only", async () => {
  const g = new GroupCommit<number, number>(
    (items) => items.includes(13) ? Promise.reject(new Error("bad")) : Promise.resolve(items),
    { maxBatch: 5 },
  );
  await assert.rejects(g.submit(13), /bad/);
  assert.equal(await g.submit(14), 14);
});

Deno.test("with keys, batches in flight never share one: an item of a busy key waits for the next batch", async () => {
  const { calls, gates, store } = gatedStore<string, string>((items) => items);
  const g = new GroupCommit(store, { maxBatch: 10, inFlight: () => 4, key: (s) => s[0] });
  const a1 = g.submit("a1");
  const rest = [g.submit("a2"), g.submit("b1"), g.submit("a3")];
  // a1 runs; b1 need not wait, a2 and a3 must (a is in flight), and keep their order.
  assert.deepEqual(calls, [["a1"], ["b1"]]);
  gates[0]();
  assert.equal(await a1, "a1");
  while (calls.length < 3) await Promise.resolve();
  assert.deepEqual(calls[2], ["a2", "a3"]);
  gates[1]();
  gates[2]();
  assert.deepEqual(await Promise.all(rest), ["a2", "b1", "a3"]);
});

Deno.test("with perKey 2, a busy key's next batch starts beside the running one; the one after waits", async () => {
  const { calls, gates, store } = gatedStore<string, string>((items) => items);
  const g = new GroupCommit(store, { maxBatch: 10, inFlight: () => 4, key: (s) => s[0], perKey: () => 2 });
  const a1 = g.submit("a1");
  const a2 = g.submit("a2");
  const a3 = [g.submit("a3"), g.submit("a4")];
  // a1 runs; a2 starts beside it (it would wait on the key's row lock, not here); a3 and a4 wait here.
  assert.deepEqual(calls, [["a1"], ["a2"]]);
  gates[0]();
  assert.equal(await a1, "a1");
  while (calls.length < 3) await Promise.resolve();
  assert.deepEqual(calls[2], ["a3", "a4"], "one of a's batches ended: the waiting ones go together");
  gates[1]();
  gates[2]();
  assert.deepEqual(await Promise.all([a2, ...a3]), ["a2", "a3", "a4"]);
});

Deno.test("with perKey 2, items of free keys never ride in a batch that waits on a busy key", async () => {
  const { calls, gates, store } = gatedStore<string, string>((items) => items);
  const g = new GroupCommit(store, {
    maxBatch: 10,
    inFlight: () => 4,
    key: (s) => s[0],
    perKey: () => 2,
    holdMs: () => 20,
  });
  const a1 = g.submit("a1");
  // Both wait out a1's hold; then b1 (free) goes in a batch of its own and a2 in one beside a1.
  const rest = [g.submit("a2"), g.submit("b1")];
  while (calls.length < 3) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(calls, [["a1"], ["b1"], ["a2"]]);
  for (const open of gates.splice(0)) open();
  assert.deepEqual(await Promise.all([a1, ...rest]), ["a1", "a2", "b1"]);
});

Deno.test("with holdMs, a running batch has that long to itself; what arrives meanwhile goes out together", async () => {
  const { calls, gates, store } = gatedStore<number, number>((items) => items);
  const g = new GroupCommit(store, { maxBatch: 10, inFlight: () => 4, holdMs: () => 300 });
  const first = g.submit(1);
  const next = [g.submit(2), g.submit(3)];
  assert.deepEqual(calls, [[1]], "a free slot waits while the running batch holds it");
  gates[0]();
  assert.equal(await first, 1);
  while (calls.length < 2) await Promise.resolve();
  assert.deepEqual(
    calls,
    [[1], [2, 3]],
    "the batch that ended within its hold: the waiting ones go together",
  );
  // A batch that runs past its hold does not hold the others up: they start beside it.
  const late = g.submit(4);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(calls.length, 2, "still within the hold");
  while (calls.length < 3) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(calls[2], [4]);
  for (const open of gates.splice(0)) open();
  assert.deepEqual(await Promise.all([...next, late]), [2, 3, 4]);
});

Deno.test("with holdMs 0, every free slot starts a batch at once", async () => {
  const { calls, gates, store } = gatedStore<number, number>((items) => items);
  const g = new GroupCommit(store, { maxBatch: 10, inFlight: () => 3, holdMs: () => 0 });
  const all = [1, 2, 3].map((n) => g.submit(n));
  assert.deepEqual(calls, [[1], [2], [3]]);
  for (const open of gates.splice(0)) open();
  assert.deepEqual(await Promise.all(all), [1, 2, 3]);
});

Deno.test("with paceMs, an item arriving soon after the latest start waits out the pace with what follows", async () => {
  const g = new GroupCommit<number, number>((items) => {
    calls.push(items);
    return Promise.resolve(items);
  }, { maxBatch: 10, inFlight: () => 4, holdMs: () => 5, paceMs: () => 80 });
  const calls: number[][] = [];
  const t0 = performance.now();
  assert.equal(await g.submit(1), 1);
  assert.deepEqual(calls, [[1]], "a lone item after a quiet spell goes at once");
  // The first batch has committed, but it started less than the pace ago: these wait and go together.
  const next = [g.submit(2), g.submit(3)];
  await Promise.resolve();
  assert.equal(calls.length, 1, "within the pace, nothing starts although no batch runs");
  assert.deepEqual(await Promise.all(next), [2, 3]);
  assert.deepEqual(calls, [[1], [2, 3]]);
  assert.ok(performance.now() - t0 >= 75, "the second batch started once the pace was over");
});

Deno.test("with paceMs, an item after a quiet spell longer than the pace goes at once", async () => {
  const calls: number[][] = [];
  const g = new GroupCommit<number, number>((items) => {
    calls.push(items);
    return Promise.resolve(items);
  }, { maxBatch: 10, paceMs: () => 20 });
  assert.equal(await g.submit(1), 1);
  await new Promise((r) => setTimeout(r, 30));
  const second = g.submit(2);
  assert.deepEqual(calls, [[1], [2]], "no wait: the pace since the latest start is over");
  assert.equal(await second, 2);
});

/** Submits an item every `everyMs` for `forMs`; answers once all are stored. */
async function steady(g: GroupCommit<number, number>, everyMs: number, forMs: number) {
  const all: Promise<number>[] = [];
  const until = performance.now() + forMs;
  for (let i = 0; performance.now() < until; i++) {
    all.push(g.submit(i));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  await Promise.all(all);
}

/** A store that answers at once and records when each batch started and how many it carried. */
function timedStore() {
  const starts: { at: number; n: number }[] = [];
  const store = (items: number[]) => {
    starts.push({ at: performance.now(), n: items.length });
    return Promise.resolve(items);
  };
  return { starts, store };
}

Deno.test("with paceMaxMs, under a steady arrival over one item per pace the pace grows to the bound", async () => {
  const { starts, store } = timedStore();
  const g = new GroupCommit<number, number>(store, {
    maxBatch: 100,
    inFlight: () => 4,
    paceMs: () => 10,
    paceMaxMs: () => 40,
  });
  // ~0.3-0.5 items per ms (timers of 2 ms run a little late): 3-5 items per pace of 10 ms, over the two at
  // which the pace reaches its bound (40).
  const t0 = performance.now();
  await steady(g, 2, 400);
  assert.ok(g.pace() >= 25 && g.pace() <= 40, `pace ${g.pace()}`);
  // Once a window of arrivals has been measured, batches start a grown pace apart (10 ms without it).
  const later = starts.filter((s) => s.at - t0 > 150);
  const gaps = later.slice(1).map((s, i) => s.at - later[i].at);
  assert.ok(gaps.length >= 3, `${gaps.length} batches`);
  for (const gap of gaps.slice(0, -1)) assert.ok(gap >= 20, `gaps ${gaps.map(Math.round)}`);
  // Most batches carry several items (the median: one late timer on a busy machine can leave a short one).
  const sizes = later.slice(0, -1).map((s) => s.n).sort((a, b) => a - b);
  assert.ok(sizes[Math.floor(sizes.length / 2)] >= 5, `sizes ${later.map((s) => s.n)}`);
  // Never longer than the bound (and a timer's lateness).
  for (const gap of gaps) assert.ok(gap <= 40 + 15, `gaps ${gaps.map(Math.round)}`);
});

Deno.test("with paceMaxMs, below one item per pace the pace stays; after a quiet spell a lone item goes at once", async () => {
  const { starts, store } = timedStore();
  const g = new GroupCommit<number, number>(store, { maxBatch: 100, paceMs: () => 10, paceMaxMs: () => 40 });
  await steady(g, 25, 250); // 0.04 items per ms: under one per 10 ms
  assert.equal(g.pace(), 10);
  // Busy, then quiet: the first item after the quiet spell goes out at once, whatever the pace grew to.
  await steady(g, 1, 150);
  assert.ok(g.pace() > 10, `pace ${g.pace()}`);
  await new Promise((r) => setTimeout(r, 60));
  const n = starts.length;
  const lone = g.submit(-1);
  assert.equal(starts.length, n + 1, "no wait after a quiet spell longer than the bound");
  assert.equal(await lone, -1);
});

Deno.test("paceMaxMs at or under paceMs keeps the pace fixed", async () => {
  const { store } = timedStore();
  const g = new GroupCommit<number, number>(store, { maxBatch: 100, paceMs: () => 10, paceMaxMs: () => 10 });
  await steady(g, 1, 150);
  assert.equal(g.pace(), 10);
});

Deno.test("with paceFloorMs 0, under one item per pace a batch starts at once when none runs; the hold still groups", async () => {
  const { calls, gates, store } = gatedStore<number, number>((items) => items);
  const g = new GroupCommit(store, {
    maxBatch: 10,
    inFlight: () => 4,
    holdMs: () => 60,
    paceMs: () => 80,
    paceMaxMs: () => 320,
    paceFloorMs: () => 0,
  });
  assert.equal(g.pace(), 0);
  const first = g.submit(1);
  assert.deepEqual(calls, [[1]]);
  gates[0]();
  assert.equal(await first, 1);
  await new Promise((r) => setTimeout(r, 0)); // its batch has settled
  // The first batch has committed and started less than the pace (80) ago: with the floor at 0 the next
  // item goes at once, where a pace would hold it.
  const second = g.submit(2);
  assert.deepEqual(calls, [[1], [2]], "no pace while none runs");
  // Behind the running batch the hold groups what arrives, as before.
  const rest = [g.submit(3), g.submit(4)];
  await Promise.resolve();
  assert.equal(calls.length, 2, "the hold keeps them behind the running batch");
  gates[1]();
  assert.equal(await second, 2);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(calls, [[1], [2], [3, 4]], "they go together once it has committed");
  gates[2]();
  assert.deepEqual(await Promise.all(rest), [3, 4]);
});

Deno.test("with paceFloorMs 0, the pace still reaches its bound at two items per pace; the floor is at most paceMs", async () => {
  const { store } = timedStore();
  const g = new GroupCommit<number, number>(store, {
    maxBatch: 100,
    inFlight: () => 4,
    paceMs: () => 10,
    paceMaxMs: () => 40,
    paceFloorMs: () => 0,
  });
  assert.equal(g.pace(), 0);
  await steady(g, 2, 300); // 0.3-0.5 items per ms: 3-5 per pace of 10 ms
  assert.ok(g.pace() >= 25 && g.pace() <= 40, `pace ${g.pace()}`);
  const high = new GroupCommit<number, number>(store, {
    maxBatch: 100,
    paceMs: () => 10,
    paceMaxMs: () => 40,
    paceFloorMs: () => 30,
  });
  assert.equal(high.pace(), 10);
});
