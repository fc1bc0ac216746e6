/**
 * "Seen" in a visitor conversation (domain/visitor/chat.ts `visitorSeen`, `agentSeen`; one statement each):
 * a position never moves back nor past the last message, the other side is told, and only the holder moves
 * the agent's position (a colleague, a member without the permission and another workspace are refused and
 * change nothing).
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { refused } from "../../helpers/assert.ts";
import { visitorFixture } from "./helpers.ts";
import * as routing from "../../../domain/visitor/routing.ts";
import * as chat from "../../../domain/visitor/chat.ts";
import * as convRepo from "../../../db/repos/visitor_conversations.ts";

dbTest("seen moves forward only, up to the last message, and tells the other side", async (db) => {
  const f = await visitorFixture(db);
  const alice = await f.agent("alice");
  const { v, id } = await f.visitor({ message: "hello" });
  await routing.claim(f.deps, alice, id);
  await chat.agentSend(f.deps, alice, id, { clientId: "a1", body: "Hi, how can I help?" });
  await chat.visitorSend(f.deps, v, { clientId: "v1", body: "a question" });
  const row = async () => (await convRepo.byId(db, f.ws, id))!;
  const last = (await row()).lastSeq;
  const seenEvents = (from: number) =>
    f.published.slice(from).filter((e) => e.event.type === "visitor_seen").map((e) => ({
      ...(e.event as { who: string; seq: number }),
      to: e.audience.kind === "users" ? e.audience.userIds : e.audience.kind,
    }));

  let from = f.published.length;
  await chat.visitorSeen(f.deps, v, last + 50);
  assert.equal((await row()).visitorSeenSeq, last, "never past the last message");
  await chat.visitorSeen(f.deps, v, 1);
  assert.equal((await row()).visitorSeenSeq, last, "never back");
  assert.deepEqual(
    seenEvents(from).map(({ who, seq, to }) => ({ who, seq, to })),
    [{ who: "visitor", seq: last, to: [alice.userId] }, { who: "visitor", seq: last, to: [alice.userId] }],
  );

  // The agent's position: theirs moved with their reply; now up to the visitor's question.
  const before = (await row()).agentSeenSeq;
  assert.ok(before < last);
  from = f.published.length;
  await chat.agentSeen(f.deps, alice, id, last);
  await chat.agentSeen(f.deps, alice, id, 0);
  assert.equal((await row()).agentSeenSeq, last);
  assert.deepEqual(seenEvents(from).map(({ who, seq, to }) => ({ who, seq, to })), [
    { who: "agent", seq: last, to: "visitor" },
    { who: "agent", seq: last, to: "visitor" },
  ]);
});

dbTest("only the holder moves the agent's seen position", async (db) => {
  const f = await visitorFixture(db);
  const alice = await f.agent("alice");
  const { id } = await f.visitor({ message: "hello" });
  await routing.claim(f.deps, alice, id);
  const snap = JSON.stringify(await convRepo.byId(db, f.ws, id));
  const count = f.published.length;
  await refused(chat.agentSeen(f.deps, await f.staff("bob"), id, 99), 403);
  await db.query("UPDATE users SET permissions = '{}' WHERE username = 'carol'");
  await refused(chat.agentSeen(f.deps, await f.staff("carol"), id, 99), 403);
  await db.query("UPDATE users SET permissions = '{chat.public_queue}' WHERE username = 'eve'");
  await refused(chat.agentSeen(f.deps, await f.staff("eve"), id, 99), 404);
  await refused(chat.agentSeen(f.deps, alice, 987654321, 99), 404);
  assert.equal(JSON.stringify(await convRepo.byId(db, f.ws, id)), snap);
  assert.equal(f.published.length, count, "nothing published");
});
