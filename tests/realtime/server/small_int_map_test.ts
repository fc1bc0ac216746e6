/** The small integer map and set of a connection, checked against the `Map` and `Set` they stand for. */
import assert from "node:assert/strict";
import { SmallIntMap, SmallIntSet } from "../../../realtime/server/small_int_map.ts";

/** A tiny deterministic generator: the same operations on every run. */
function random(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
}

Deno.test("SmallIntMap answers as a Map through many sets, updates and deletes, past its array limit", () => {
  for (const range of [8, 40, 200]) {
    const rnd = random(range);
    const mine = new SmallIntMap<number>(), map = new Map<number, number>();
    for (let step = 0; step < 5000; step++) {
      const key = Math.floor(rnd() * range), value = Math.floor(rnd() * 1000);
      const op = rnd();
      if (op < 0.6) assert.equal(mine.set(key, value), mine);
      if (op < 0.6) map.set(key, value);
      else if (op < 0.75) assert.equal(mine.delete(key), map.delete(key));
      assert.equal(mine.get(key), map.get(key));
      assert.equal(mine.has(key), map.has(key));
      assert.equal(mine.get(key + range), undefined);
      assert.equal(mine.size, map.size);
    }
    assert.deepEqual([...mine.keys()], [...map.keys()]);
  }
});

Deno.test("SmallIntSet answers as a Set through many adds and deletes, past its array limit", () => {
  for (const range of [8, 40, 200]) {
    const rnd = random(range + 1);
    const mine = new SmallIntSet(), set = new Set<number>();
    for (let step = 0; step < 5000; step++) {
      const key = Math.floor(rnd() * range);
      if (rnd() < 0.7) {
        assert.equal(mine.add(key), mine);
        set.add(key);
      } else assert.equal(mine.delete(key), set.delete(key));
      assert.equal(mine.has(key), set.has(key));
      assert.equal(mine.size, set.size);
    }
    assert.deepEqual([...mine], [...set]);
  }
});

Deno.test("SmallIntMap and SmallIntSet keep insertion order, as Map and Set do", () => {
  const m = new SmallIntMap<string>().set(5, "a").set(1, "b").set(9, "c").set(1, "d");
  assert.deepEqual([...m.keys()], [5, 1, 9]);
  assert.equal(m.get(1), "d");
  const s = new SmallIntSet().add(5).add(1).add(9).add(5);
  assert.deepEqual([...s], [5, 1, 9]);
});
