/** Claim race, automatic assignment (round robin, capacity, oldest first), offline agents, transfer. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { refused } from "../../helpers/assert.ts";
import { visitorFixture } from "./helpers.ts";
import * as routing from "../../../domain/visitor/routing.ts";
import * as staff from "../../../domain/visitor/staff.ts";
import * as lifecycle from "../../../domain/visitor/lifecycle.ts";
import * as convRepo from "../../../db/repos/visitor_conversations.ts";

dbTest("several agents claim one visitor at once: exactly one wins", async (db) => {
  const f = await visitorFixture(db);
  const agents = [await f.agent("alice"), await f.agent("bob"), await f.agent("carol"), await f.staff("mod")];
  const { id } = await f.visitor();
  const results = await Promise.allSettled(agents.map((a) => routing.claim(f.deps, a, id)));
  const won = results.filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1);
  for (const r of results) {
    if (r.status === "rejected") assert.equal((r.reason as { status: number }).status, 409);
  }
  const c = await convRepo.byId(db, f.ws, id);
  assert.equal(c!.status, "active");
  const joined = await db.query("SELECT 1 FROM visitor_messages WHERE body LIKE '% joined the chat.'");
  assert.equal(joined.length, 1);
  // The queue permission is needed at all.
  await refused(
    routing.claim(f.deps, await f.staff("admin").then((a) => (a.permissions.clear(), a)), id),
    403,
  );
});

dbTest(
  "automatic assignment: round robin under capacity, oldest first, next one when capacity frees",
  async (db) => {
    const f = await visitorFixture(db);
    await f.setting("auto_assign", true);
    const alice = await f.agent("alice");
    const bob = await f.agent("bob");
    await routing.setAvailability(f.deps, alice, { capacity: 2 });
    await routing.setAvailability(f.deps, bob, { capacity: 1 });
    const v = [];
    for (let i = 0; i < 5; i++) v.push(await f.visitor({ name: `V${i}` }));
    const held = async (a: { userId: number }) =>
      (await convRepo.heldBy(db, f.ws, a.userId)).map((c) => c.name);
    const a = await held(alice);
    const b = await held(bob);
    assert.equal(a.length, 2);
    assert.equal(b.length, 1);
    assert.deepEqual([...a, ...b].sort(), ["V0", "V1", "V2"], "the oldest three are assigned");
    const waiting = await convRepo.waiting(db, f.ws);
    assert.deepEqual(waiting.map((c) => c.name), ["V3", "V4"]);
    // Bob frees capacity: the oldest waiting visitor goes to him at once.
    await staff.endByAgent(f.deps, bob, (await convRepo.heldBy(db, f.ws, bob.userId))[0].id);
    assert.deepEqual(await held(bob), ["V3"]);
    assert.deepEqual((await convRepo.waiting(db, f.ws)).map((c) => c.name), ["V4"]);
    // Positions are sent to waiting visitors.
    const status = f.published.filter((e) =>
      e.event.type === "visitor_status" && e.audience.kind === "visitor"
    );
    assert.ok(status.some((e) => e.event.type === "visitor_status" && e.event.position === 1));
  },
);

dbTest("an agent offline past the grace period loses their chats, with a visible note", async (db) => {
  let now = Date.now();
  const f = await visitorFixture(db, { now: () => new Date(now) });
  await f.setting("offline_grace_seconds", 20);
  const alice = await f.staff("alice");
  const conn = await f.online(alice.userId);
  await routing.setAvailability(f.deps, alice, { available: true });
  const { id, v } = await f.visitor();
  await routing.claim(f.deps, alice, id);
  await f.offline(conn);
  assert.equal(await routing.releaseOfflineAgents(f.deps, f.ws), 0, "the grace period starts");
  now += 10_000;
  assert.equal(
    await routing.releaseOfflineAgents(f.deps, f.ws),
    0,
    "a reload inside the grace period keeps it",
  );
  now += 15_000;
  assert.equal(await routing.releaseOfflineAgents(f.deps, f.ws), 1);
  const c = await convRepo.byId(db, f.ws, id);
  assert.equal(c!.status, "waiting", "back in the queue (nobody else available)");
  const view = await lifecycle.viewOf(f.deps, v);
  assert.match(view.messages.at(-1)!.body, /went offline. You are back in line/);
  // With automatic assignment and another agent online, it moves to them instead; never to an offline one.
  await f.setting("auto_assign", true);
  await routing.setAvailability(f.deps, alice, { available: true }); // available but offline
  const bob = await f.agent("bob");
  await routing.afterQueueChange(f.deps, f.ws);
  assert.equal((await convRepo.byId(db, f.ws, id))!.agentId, bob.userId);
});

dbTest("transfer to an agent or a team, with a note only staff see", async (db) => {
  const f = await visitorFixture(db);
  const alice = await f.agent("alice");
  const bob = await f.agent("bob");
  const { id, v } = await f.visitor();
  await routing.claim(f.deps, alice, id);
  await refused(routing.transfer(f.deps, bob, id, { toUserId: alice.userId }), 403, "forbidden");
  await refused(routing.transfer(f.deps, alice, id, { toUserId: f.users.eve.id }), 400);
  await refused(routing.transfer(f.deps, alice, id, { toUserId: f.users.admin.id, toTeam: "x" }), 400);
  await routing.transfer(f.deps, alice, id, { toUserId: bob.userId, note: "Billing question, invoice 42" });
  assert.equal((await convRepo.byId(db, f.ws, id))!.agentId, bob.userId);
  const staffView = await staff.conversation(f.deps, bob, id);
  assert.ok(staffView.messages.some((m) => m.kind === "note" && m.body.includes("invoice 42")));
  const visitorView = await lifecycle.viewOf(f.deps, v);
  assert.ok(!visitorView.messages.some((m) => m.body.includes("invoice 42")));
  await refused(staff.conversation(f.deps, alice, id), 403, "forbidden");
  await routing.transfer(f.deps, bob, id, { toTeam: "billing" });
  const c = await convRepo.byId(db, f.ws, id);
  assert.equal(c!.status, "waiting");
  assert.equal(c!.team, "billing");
});
