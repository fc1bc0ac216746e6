/** The hub's sockets by user: one held as is, more in a set, in and out in any order. */
import assert from "node:assert/strict";
import { ConnectionsByUser } from "../../../realtime/server/connections_by_user.ts";

Deno.test("a user's sockets come and go in any order; other users' are untouched", () => {
  const by = new ConnectionsByUser<string>();
  assert.deepEqual(by.of(1), []);
  by.add(1, "a");
  by.add(1, "a");
  assert.deepEqual(by.of(1), ["a"]);
  by.add(1, "b");
  by.add(1, "c");
  by.add(2, "x");
  assert.deepEqual(by.of(1), ["a", "b", "c"]);
  by.delete(1, "b");
  by.delete(1, "x");
  assert.deepEqual(by.of(1), ["a", "c"]);
  by.delete(1, "a");
  by.delete(1, "c");
  assert.deepEqual(by.of(1), []);
  by.add(1, "d");
  assert.deepEqual(by.of(1), ["d"]);
  by.delete(1, "a");
  assert.deepEqual(by.of(1), ["d"]);
  by.delete(1, "d");
  assert.deepEqual(by.of(1), []);
  assert.deepEqual(by.of(2), ["x"]);
});

Deno.test("addTo gathers the sockets of several users into one set", () => {
  const by = new ConnectionsByUser<string>();
  by.add(1, "a");
  by.add(2, "b");
  by.add(2, "c");
  const out = new Set<string>(["z"]);
  for (const u of [1, 2, 3]) by.addTo(u, out);
  assert.deepEqual([...out], ["z", "a", "b", "c"]);
});

Deno.test("of returns a copy: closing sockets while walking it changes nothing in the walk", () => {
  const by = new ConnectionsByUser<string>();
  by.add(1, "a");
  by.add(1, "b");
  const seen: string[] = [];
  for (const c of by.of(1)) {
    seen.push(c);
    by.delete(1, c);
  }
  assert.deepEqual(seen, ["a", "b"]);
  assert.deepEqual(by.of(1), []);
});
