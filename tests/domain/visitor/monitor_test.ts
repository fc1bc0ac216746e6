/**
 * Live view for monitors: staff with `chat.public_monitor` see every ongoing visitor conversation live
 * (messages from both sides, typing, notes) without claiming it, and read-only; staff of lower rank
 * (the queue permission only) see nothing of conversations they do not hold.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { refused } from "../../helpers/assert.ts";
import { visitorFixture } from "./helpers.ts";
import * as routing from "../../../domain/visitor/routing.ts";
import * as staff from "../../../domain/visitor/staff.ts";
import * as chat from "../../../domain/visitor/chat.ts";
import * as convRepo from "../../../db/repos/visitor_conversations.ts";

dbTest("a monitor watches a conversation live and read-only; lower ranks see nothing", async (db) => {
  const f = await visitorFixture(db);
  const alice = await f.agent("alice");
  const { v, id } = await f.visitor({ message: "first words" });
  await routing.claim(f.deps, alice, id);
  const admin = await f.staff("admin"); // has chat.public_monitor by role
  const mod = await f.staff("mod"); // chat.public_queue, no monitor
  const bob = await f.staff("bob"); // chat.public_queue granted, no monitor
  assert.ok(admin.permissions.has("chat.public_monitor"));
  assert.ok(!mod.permissions.has("chat.public_monitor") && mod.permissions.has("chat.public_queue"));

  // The overview lists it under "live" for the monitor only, and never as theirs.
  const ovAdmin = await staff.overview(f.deps, admin);
  assert.deepEqual(ovAdmin.live.map((c) => c.id), [id]);
  assert.deepEqual(ovAdmin.held, []);
  for (const who of [mod, bob]) assert.deepEqual((await staff.overview(f.deps, who)).live, []);

  // Reading: the monitor gets the conversation with notes; lower ranks are refused.
  await chat.agentSend(f.deps, alice, id, { clientId: "n1", body: "note for staff" }, true);
  const seen = await staff.conversation(f.deps, admin, id);
  assert.ok(seen.messages.some((m) => m.body === "note for staff"));
  await refused(staff.conversation(f.deps, mod, id), 403);
  await refused(staff.conversation(f.deps, bob, id), 403);

  // Live: both sides' messages and the visitor's typing reach the monitor, not the lower ranks.
  const from = f.published.length;
  await chat.visitorSend(f.deps, v, { clientId: "v1", body: "is anyone there?" });
  await chat.agentSend(f.deps, alice, id, { clientId: "a1", body: "Alice here" });
  await chat.visitorTyping(f.deps, v, true);
  const toUser = (userId: number) =>
    f.published.slice(from).filter((e) => e.audience.kind === "users" && e.audience.userIds.includes(userId))
      .map((e) => e.event.type === "visitor_message" ? e.event.message.body : e.event.type);
  assert.deepEqual(toUser(admin.userId), ["is anyone there?", "Alice here", "visitor_typing"]);
  assert.deepEqual(toUser(alice.userId), ["is anyone there?", "Alice here", "visitor_typing"]);
  assert.deepEqual(toUser(mod.userId), []);
  assert.deepEqual(toUser(bob.userId), []);

  // Read-only: the monitor cannot reply, type, mark seen, end, transfer or escalate; nothing changes.
  const before = JSON.stringify([
    await convRepo.byId(db, f.ws, id),
    await convRepo.messages(db, id, { withNotes: true }),
  ]);
  const count = f.published.length;
  await refused(chat.agentSend(f.deps, admin, id, { clientId: "m1", body: "hijack" }), 403);
  await refused(chat.agentSend(f.deps, admin, id, { clientId: "m2", body: "note" }, true), 403);
  await refused(chat.agentTyping(f.deps, admin, id, true), 403);
  await refused(chat.agentSeen(f.deps, admin, id, 99), 403);
  await refused(staff.endByAgent(f.deps, admin, id), 403);
  await refused(routing.transfer(f.deps, admin, id, { toUserId: admin.userId }), 403);
  await refused(staff.escalate(f.deps, admin, id, { userIds: [f.users.bob.id] }), 403);
  assert.equal(
    JSON.stringify([await convRepo.byId(db, f.ws, id), await convRepo.messages(db, id, { withNotes: true })]),
    before,
  );
  assert.equal(f.published.length, count, "no event from a refused action");
  // Watching did not claim it: Alice still holds it.
  assert.equal((await convRepo.byId(db, f.ws, id))!.agentId, alice.userId);
});
