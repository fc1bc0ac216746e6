/**
 * Group commit of visitor-chat messages: messages arriving together are stored by one statement; one
 * that may not be stored (chat ended meanwhile, a conversation held by someone else) is refused on its
 * own while the others of its batch are committed, acknowledged and published; a retry in the same batch
 * returns the stored message; sequence numbers and "seen" positions stay as the one-at-a-time path makes them.
 */
import assert from "node:assert/strict";
import type { Db } from "../../../db/client.ts";
import { dbTest } from "../../helpers/db.ts";
import { refused } from "../../helpers/assert.ts";
import { visitorFixture } from "./helpers.ts";
import * as chat from "../../../domain/visitor/chat.ts";
import * as lifecycle from "../../../domain/visitor/lifecycle.ts";
import * as routing from "../../../domain/visitor/routing.ts";
import * as convRepo from "../../../db/repos/visitor_conversations.ts";
import { VisitorMessageBatcher } from "../../../domain/visitor/message_batch.ts";
import type { Deps } from "../../../domain/deps.ts";

/** The database, recording the size of every batch statement it runs. */
function countingDb(db: Db, sizes: number[]): Db {
  return new Proxy(db, {
    get(target, key) {
      if (key === "query") {
        return (text: string, params?: unknown[]) => {
          if (text.includes("visitor_seen_seq = coalesce")) sizes.push((params![0] as unknown[]).length);
          return target.query(text, params);
        };
      }
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

dbTest("a batch refuses only the messages that may not be stored and commits the others", async (db) => {
  const f = await visitorFixture(db);
  const alice = await f.agent("alice");
  const bob = await f.agent("bob");
  const admin = await f.staff("admin"); // a monitor: sees every conversation live
  const one = await f.visitor({ name: "Vera" });
  const two = await f.visitor({ name: "Walt" });
  await routing.claim(f.deps, alice, one.id);
  await routing.claim(f.deps, alice, two.id);
  await lifecycle.endByVisitor(f.deps, two.v); // the second chat ends before its visitor's message is stored

  // One batch at a time, so everything submitted while the first batch is stored forms the second.
  const sizes: number[] = [];
  const deps: Deps = {
    ...f.deps,
    db: countingDb(db, sizes),
    config: { ...f.deps.config, limits: { ...f.deps.config.limits, sendBatchesInFlight: 1 } },
  };
  deps.visitorBatcher = new VisitorMessageBatcher(deps);
  const before = (await convRepo.byId(db, f.ws, one.id))!;
  const from = f.published.length;

  const first = chat.visitorSend(deps, one.v, { clientId: "v0", body: "first" });
  const rest = await Promise.allSettled([
    chat.visitorSend(deps, one.v, { clientId: "v1", body: "hello" }),
    chat.visitorSend(deps, two.v, { clientId: "w1", body: "too late" }), // ended: refused
    chat.agentSend(deps, alice, one.id, { clientId: "a1", body: "Alice here" }),
    chat.agentSend(deps, alice, two.id, { clientId: "n1", body: "note after the end" }, true), // notes may
    chat.agentSend(deps, bob, one.id, { clientId: "b1", body: "not mine" }), // held by Alice: refused
    chat.visitorSend(deps, one.v, { clientId: "v1", body: "hello" }), // a retry in the same batch
  ]);
  await first;
  // The first message alone, the six others in one statement (the retry in it is not sent twice).
  assert.deepEqual(sizes, [1, 5]);

  const [v1, w1, a1, n1, b1, again] = rest;
  assert.equal(w1.status, "rejected");
  await refused(Promise.reject((w1 as PromiseRejectedResult).reason), 409);
  await refused(Promise.reject((b1 as PromiseRejectedResult).reason), 403);
  const ok = (r: PromiseSettledResult<{ message: { id: number; seq: number; body: string } }>) => {
    assert.equal(r.status, "fulfilled", r.status === "rejected" ? String(r.reason) : "");
    return (r as PromiseFulfilledResult<{ message: { id: number; seq: number; body: string } }>).value
      .message;
  };
  const [m1, ma, mn, mAgain] = [ok(v1), ok(a1), ok(n1), ok(again)];
  assert.equal(mAgain.id, m1.id, "the retry answers with the stored message");
  assert.deepEqual([m1.seq, ma.seq], [before.lastSeq + 2, before.lastSeq + 3], "after 'first', in order");

  // Stored exactly once each; the ended chat got nothing from its visitor; Bob's reply is not there.
  const bodies = async (id: number) =>
    (await convRepo.messages(db, id, { withNotes: true })).filter((m) => m.kind !== "system").map((m) =>
      `${m.kind}:${m.authorName}:${m.body}`
    );
  assert.deepEqual(await bodies(one.id), [
    "visitor:Vera:first",
    "visitor:Vera:hello",
    "agent:Alice:Alice here",
  ]);
  assert.deepEqual(await bodies(two.id), ["note:Alice:note after the end"]);
  const after = (await convRepo.byId(db, f.ws, one.id))!;
  assert.equal(after.lastSeq, before.lastSeq + 3);
  assert.equal(after.visitorSeenSeq, m1.seq, "the visitor has seen their own last message");
  assert.equal(after.agentSeenSeq, ma.seq, "the agent has seen their own reply");
  assert.equal(mn.seq, (await convRepo.byId(db, f.ws, two.id))!.lastSeq);

  // Published after the commit, once per stored message and audience: the visitor never gets the note.
  const got = f.published.slice(from).map((e) => {
    const who = e.audience.kind === "visitor"
      ? `visitor${e.audience.conversationId === one.id ? 1 : 2}`
      : e.audience.kind === "users"
      ? `staff[${
        [alice.userId, admin.userId].filter((u) => (e.audience as { userIds: number[] }).userIds.includes(u))
          .length
      }]`
      : e.audience.kind;
    return `${who} ${e.event.type === "visitor_message" ? e.event.message.body : e.event.type}`;
  });
  assert.deepEqual(got, [
    "visitor1 first",
    "staff[2] first",
    "visitor1 hello",
    "staff[2] hello",
    "visitor1 Alice here",
    "staff[2] Alice here",
    "staff[2] note after the end",
  ]);
});

dbTest("a message to a conversation of another workspace is refused by the batch", async (db) => {
  const f = await visitorFixture(db);
  const alice = await f.agent("alice");
  const { id, v } = await f.visitor();
  await routing.claim(f.deps, alice, id);
  // The same conversation id with another workspace: the statement leaves it out, the check explains.
  await refused(
    chat.visitorSend(f.deps, { ...v, workspaceId: v.workspaceId + 1000 }, { clientId: "x", body: "hi" }),
    409,
  );
  await refused(
    chat.agentSend(f.deps, { ...alice, workspaceId: alice.workspaceId + 1000 }, id, {
      clientId: "y",
      body: "hi",
    }),
    404,
  );
  assert.deepEqual(
    (await convRepo.messages(db, id, { withNotes: true })).filter((m) => m.kind !== "system"),
    [],
  );
});
