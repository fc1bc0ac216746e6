/**
 * Idempotency keys are durable: the same key sent many times at once, over several sockets and over REST,
 * stores one row, takes one sequence number, publishes one event, and every answer is that message.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import { serverTest, until, WsClient } from "../helpers.ts";

serverTest("one idempotency key sent concurrently over WebSocket and REST yields one row", async (t) => {
  const { f } = t;
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  })).id;
  const token = await t.token("alice");
  const sockets = await Promise.all([0, 1, 2].map(() => WsClient.open(t.url, token)));
  for (const s of sockets) await s.ok("hello", { channels: { [ch]: 0 } });
  const bob = await WsClient.open(t.url, await t.token("bob"));
  await bob.ok("hello", { channels: { [ch]: 0 } });

  const PER_SOCKET = 25;
  const REST = 25;
  const frame = { channelId: ch, clientId: "same-key-1", body: "exactly once" };
  const overWs = sockets.flatMap((s) =>
    Array.from({ length: PER_SOCKET }, () => s.request("send_message", frame))
  );
  const overRest = Array.from({ length: REST }, async () => {
    const res = await fetch(`${t.url}/api/chat/channels/${ch}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ clientId: frame.clientId, body: frame.body }),
    });
    return { status: res.status, body: await res.json() };
  });
  const [wsAnswers, restAnswers] = await Promise.all([Promise.all(overWs), Promise.all(overRest)]);

  const failed = wsAnswers.filter((a) => a.type !== "ack");
  assert.deepEqual(failed, [], "every socket send acknowledged");
  const ids = new Set([
    ...wsAnswers.map((a) => a.data.message.id),
    ...restAnswers.map((r) => r.body.message?.id),
  ]);
  assert.equal(ids.size, 1, `one message id for all ${PER_SOCKET * 3 + REST} answers`);
  const created = wsAnswers.filter((a) => a.data.created).length +
    restAnswers.filter((r) => r.status === 201).length;
  assert.equal(created, 1, "exactly one answer says it created the message");
  for (const r of restAnswers) assert.ok(r.status === 200 || r.status === 201, `REST answered ${r.status}`);
  for (const a of wsAnswers) assert.equal(a.data.message.seq, 1);

  const db = f.deps.db;
  const rows = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM messages WHERE sender_id = $1 AND client_id = $2",
    [f.users.alice.id, frame.clientId],
  );
  assert.equal(rows[0].n, 1);
  const [c] = await db.query<{ lastSeq: number }>(
    'SELECT last_seq AS "lastSeq" FROM channels WHERE id = $1',
    [ch],
  );
  assert.equal(c.lastSeq, 1, "one sequence number taken");
  const log = await db.query("SELECT seq FROM channel_events WHERE channel_id = $1", [ch]);
  assert.equal(log.length, 1, "one event in the log");

  // Exactly one live event, on every socket.
  await bob.ok("ping");
  for (const s of [...sockets, bob]) {
    await until("the event", () => s.of("message_received").length >= 1);
    await s.ok("ping");
    assert.equal(s.of("message_received").length, 1);
  }

  // The same key with other content is refused both ways and changes nothing.
  const conflictWs = await sockets[0].fails("send_message", { ...frame, body: "something else" });
  assert.equal(conflictWs.code, "conflict");
  const res = await fetch(`${t.url}/api/chat/channels/${ch}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ clientId: frame.clientId, body: "something else" }),
  });
  assert.equal(res.status, 409);
  assert.equal((await res.json()).error.code, "conflict");
  // Keys are per sender: bob may use the same key for his own message.
  const his = await bob.ok("send_message", { ...frame, body: "bob's own" });
  assert.equal(his.created, true);
  assert.equal(his.message.seq, 2);
  for (const s of [...sockets, bob]) s.close();
});
