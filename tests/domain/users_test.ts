/** People: search and profiles stay inside the workspace; status. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as users from "../../domain/users.ts";
import * as usersRepo from "../../db/repos/users.ts";

dbTest("search finds people of my workspace only", async (db) => {
  const f = await fixture(db);
  const all = await users.search(f.deps, f.actor("alice"), {});
  assert.deepEqual(all.map((u) => u.username).sort(), ["admin", "alice", "bob", "carol", "mod"]);
  assert.deepEqual((await users.search(f.deps, f.actor("alice"), { q: "CAR" })).map((u) => u.username), [
    "carol",
  ]);
  assert.deepEqual(await users.search(f.deps, f.actor("alice"), { q: "eve" }), []);
  assert.deepEqual((await users.search(f.deps, f.actor("eve"), { q: "" })).map((u) => u.username), ["eve"]);
  assert.equal((await users.search(f.deps, f.actor("alice"), { limit: "2" })).length, 2);
  // LIKE wildcards are literal.
  assert.deepEqual(await users.search(f.deps, f.actor("alice"), { q: "%" }), []);
  await refused(users.search(f.deps, f.actor("alice"), { limit: "1000" }), 400);
  await refused(users.search(f.deps, f.actor("alice"), { q: "x".repeat(81) }), 400);
});

dbTest("profiles: no password hash, nobody from another workspace", async (db) => {
  const f = await fixture(db);
  const p = await users.get(f.deps, f.actor("alice"), f.users.bob.id);
  assert.equal(p.username, "bob");
  assert.equal("passwordHash" in p, false);
  await refused(users.get(f.deps, f.actor("alice"), f.users.eve.id), 404);
  await refused(users.get(f.deps, f.actor("eve"), f.users.bob.id), 404);
  await usersRepo.setDeactivated(db, f.users.bob.id, true);
  assert.equal((await users.get(f.deps, f.actor("alice"), f.users.bob.id)).deactivated, true);
});

dbTest("status, status text and away message are stored and validated", async (db) => {
  const f = await fixture(db);
  const me = await users.setStatus(f.deps, f.actor("alice"), {
    status: "busy",
    statusText: "In a meeting",
    awayMessage: "Back at 3",
  });
  assert.deepEqual([me.status, me.statusText, me.awayMessage], ["busy", "In a meeting", "Back at 3"]);
  const partial = await users.setStatus(f.deps, f.actor("alice"), { status: "away" });
  assert.equal(partial.statusText, "In a meeting");
  await refused(users.setStatus(f.deps, f.actor("alice"), { status: "asleep" }), 400);
  await refused(users.setStatus(f.deps, f.actor("alice"), { statusText: "x".repeat(101) }), 400);
  await refused(users.setStatus(f.deps, f.actor("alice"), { userId: f.users.bob.id }), 400);
  assert.equal((await users.get(f.deps, f.actor("bob"), f.users.bob.id)).status, "online");
});
