/**
 * The hub on its own: audiences, the channel index kept current from membership events, sequence dedup,
 * resume buffering, and back-pressure. The sockets are fakes whose buffered amount the test controls;
 * the hub under test is the real one.
 */
import assert from "node:assert/strict";
import { Connection, Hub, type Socket } from "../../../realtime/server/hub.ts";
import type { Envelope, Message, ServerEvent } from "../../../realtime/protocol.ts";
import { until } from "../until.ts";
import { textMessage } from "../../helpers/message.ts";

class FakeSocket implements Socket {
  sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  bufferedAmount = 0;
  failSend = false;
  /** A consumer that reads nothing: what is sent stays buffered (as Deno counts it, UTF-8 bytes). */
  stalled = false;
  send(data: string) {
    if (this.failSend) throw new Error("broken pipe");
    this.sent.push(data);
    if (this.stalled) this.bufferedAmount += new TextEncoder().encode(data).length;
  }
  close(code?: number, reason?: string) {
    this.closedWith = { code, reason };
  }
  events(): ServerEvent[] {
    return this.sent.map((s) => JSON.parse(s));
  }
}

const LIMITS = { sendBufferSoftBytes: 1000, sendBufferHardBytes: 10_000 };

function conn(hub: Hub, id: string, userId: number, channels: number[], workspaceId = 1) {
  const socket = new FakeSocket();
  const c = new Connection(id, userId, workspaceId, null, socket);
  hub.add(c, channels);
  return { c, socket };
}

const msg = (channelId: number, seq: number): Message => textMessage(seq, { channelId });

const received = (channelId: number, seq: number): Envelope => ({
  event: { type: "message_received", channelId, seq, message: msg(channelId, seq) },
  audience: { kind: "channel", channelId },
  workspaceId: 1,
});

const typing = (channelId: number, userId: number, except?: string): Envelope => ({
  event: { type: "user_typing", channelId, userId, typing: true },
  audience: { kind: "channel", channelId },
  workspaceId: 1,
  exceptConnection: except,
});

Deno.test("channel, users and workspace audiences reach exactly their connections", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10]);
  const b = conn(hub, "b", 2, [10, 20]);
  const a2 = conn(hub, "a2", 1, [10]);
  const other = conn(hub, "x", 3, [30], 2);
  hub.deliver(received(20, 1));
  hub.deliver({
    event: { type: "channel_removed", channelId: 99 },
    audience: { kind: "users", userIds: [1] },
    workspaceId: 1,
  });
  hub.deliver({
    event: {
      type: "presence_updated",
      users: [{ userId: 2, status: "away", statusText: "", awayMessage: "", connections: 1 }],
    },
    audience: { kind: "workspace", workspaceId: 1 },
    workspaceId: 1,
  });
  hub.deliver(typing(10, 1, "a"));
  assert.deepEqual(a.socket.events().map((e) => e.type), ["channel_removed", "presence_updated"]);
  assert.deepEqual(a2.socket.events().map((e) => e.type), [
    "channel_removed",
    "presence_updated",
    "user_typing",
  ]);
  assert.deepEqual(b.socket.events().map((e) => e.type), [
    "message_received",
    "presence_updated",
    "user_typing",
  ]);
  assert.deepEqual(other.socket.sent, []);
  // One encoding shared by every target.
  assert.equal(a.socket.sent[1], b.socket.sent[1]);
});

Deno.test("user_joined subscribes the user's connections; user_left and channel_removed unsubscribe", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, []);
  const b = conn(hub, "b", 2, [10]);
  hub.deliver(received(10, 1));
  assert.equal(a.socket.sent.length, 0);
  hub.deliver({
    event: { type: "user_joined", channelId: 10, userId: 1 },
    audience: { kind: "channel", channelId: 10 },
    workspaceId: 1,
  });
  hub.deliver(received(10, 2));
  // The joiner gets its own user_joined (it is now in the channel) and what follows.
  assert.deepEqual(a.socket.events().map((e) => e.type), ["user_joined", "message_received"]);
  hub.deliver({
    event: { type: "user_left", channelId: 10, userId: 1 },
    audience: { kind: "channel", channelId: 10 },
    workspaceId: 1,
  });
  hub.deliver(received(10, 3));
  // The leaver is told it left, then hears nothing more from the channel.
  assert.deepEqual(a.socket.events().map((e) => e.type), ["user_joined", "message_received", "user_left"]);
  hub.deliver({
    event: { type: "channel_removed", channelId: 10 },
    audience: { kind: "users", userIds: [2] },
    workspaceId: 1,
  });
  hub.deliver(received(10, 4));
  assert.deepEqual(b.socket.events().map((e) => (e as { seq?: number }).seq ?? e.type), [
    1,
    "user_joined",
    2,
    "user_left",
    3,
    "channel_removed",
  ]);
  assert.equal(a.c.channels.has(10), false);
  assert.equal(b.c.channels.has(10), false);
});

Deno.test("a sequence already written to a connection is never written again", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10]);
  for (const s of [1, 2, 2, 1, 3]) hub.deliver(received(10, s));
  const late = conn(hub, "late", 2, [10]);
  late.c.sent.set(10, 3);
  hub.deliver(received(10, 3));
  hub.deliver(received(10, 4));
  assert.deepEqual(a.socket.events().map((e) => (e as { seq: number }).seq), [1, 2, 3, 4]);
  assert.deepEqual(late.socket.events().map((e) => (e as { seq: number }).seq), [4]);
});

Deno.test("events published out of order go out in sequence order", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10, 20]);
  for (const s of [1, 3, 4, 2, 6, 5]) hub.deliver(received(10, s));
  hub.deliver(received(20, 7));
  assert.deepEqual(
    a.socket.events().map((e) => `${(e as { channelId: number }).channelId}:${(e as { seq: number }).seq}`),
    [
      "10:1",
      "10:2",
      "10:3",
      "10:4",
      "10:5",
      "10:6",
      "20:7",
    ],
  );
  assert.equal(hub.stats.reordered, 3);
  // Ephemeral events are never held back.
  hub.deliver(received(10, 9)); // 8 is missing: 9 waits
  hub.deliver(typing(10, 2));
  assert.equal(a.socket.events().at(-1)!.type, "user_typing");
});

Deno.test("the first event of a channel waits for the ones a connection is known to miss", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10]);
  a.c.sent.set(10, 4); // its hello said it has everything up to 4
  hub.deliver(received(10, 7));
  hub.deliver(received(10, 5));
  assert.deepEqual(a.socket.events().map((e) => (e as { seq: number }).seq), [5]);
  hub.deliver(received(10, 6));
  assert.deepEqual(a.socket.events().map((e) => (e as { seq: number }).seq), [5, 6, 7]);
});

Deno.test("an event whose predecessor never comes is delivered after the reorder wait", async () => {
  const hub = new Hub({ ...LIMITS, reorderWaitMs: 30 });
  const a = conn(hub, "a", 1, [10]);
  hub.deliver(received(10, 1));
  hub.deliver(received(10, 3));
  hub.deliver(received(10, 5));
  hub.deliver(received(10, 4));
  const seqs = () => a.socket.events().map((e) => (e as { seq: number }).seq);
  assert.deepEqual(seqs(), [1]);
  await until("the held events", () => seqs().length === 4, 5000, 5);
  assert.deepEqual(seqs(), [1, 3, 4, 5]);
  // The missing one turning up late is not written after its successors.
  hub.deliver(received(10, 2));
  hub.deliver(received(10, 6));
  assert.deepEqual(seqs(), [1, 3, 4, 5, 6]);
});

Deno.test("while resuming, live events wait and are flushed after the replay without duplicates", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10]);
  a.c.pending = [];
  hub.deliver(received(10, 3));
  hub.deliver(typing(10, 2));
  hub.deliver(received(10, 4));
  assert.equal(a.socket.sent.length, 0);
  // The replay (read from the database) covers 1..3; then the pending events follow.
  const pending = a.c.pending;
  a.c.pending = null;
  for (const s of [1, 2, 3]) hub.write(a.c, JSON.stringify(received(10, s).event), received(10, s).event);
  a.c.pending = pending;
  hub.endResume(a.c);
  assert.deepEqual(a.socket.events().map((e) => (e as { seq?: number }).seq ?? e.type), [
    1,
    2,
    3,
    "user_typing",
    4,
  ]);
  assert.equal(a.c.pending, null);
});

Deno.test("back-pressure: typing and presence dropped past the soft limit, the socket closed past the hard one", () => {
  const hub = new Hub(LIMITS);
  const slow = conn(hub, "slow", 1, [10]);
  const fast = conn(hub, "fast", 2, [10]);
  slow.socket.bufferedAmount = 5000;
  hub.deliver(typing(10, 3));
  hub.deliver({
    event: {
      type: "presence_updated",
      users: [{ userId: 3, status: "online", statusText: "", awayMessage: "", connections: 1 }],
    },
    audience: { kind: "workspace", workspaceId: 1 },
    workspaceId: 1,
  });
  hub.deliver(received(10, 1));
  assert.deepEqual(slow.socket.events().map((e) => e.type), ["message_received"]);
  assert.deepEqual(fast.socket.events().map((e) => e.type), [
    "user_typing",
    "presence_updated",
    "message_received",
  ]);
  assert.equal(hub.stats.dropped, 2);
  // It reads nothing more: messages fill its buffer until it passes the hard limit, and the first message
  // after that closes it (the buffer is below the limit before its last frame).
  slow.socket.stalled = true;
  let seq = 1;
  while (!slow.c.closed && seq < 200) hub.deliver(received(10, ++seq));
  assert.equal(slow.socket.closedWith?.code, 1013);
  assert.equal(slow.c.closed, true);
  assert.equal(hub.conns.has("slow"), false);
  assert.equal(hub.stats.slowClosed, 1);
  const sent = slow.socket.sent.length;
  const last = new TextEncoder().encode(slow.socket.sent[sent - 1]).length;
  assert.ok(slow.socket.bufferedAmount > LIMITS.sendBufferHardBytes);
  assert.ok(
    slow.socket.bufferedAmount - last <= LIMITS.sendBufferHardBytes,
    "closed at the first send past it",
  );
  assert.equal(sent, seq - 1, "every message before the one that closed it was written");
  hub.deliver(received(10, ++seq));
  assert.equal(slow.socket.sent.length, sent, "nothing more is queued for a closed consumer");
  const seqs = fast.socket.events().map((e) => (e as { seq?: number }).seq).filter(Boolean);
  assert.deepEqual(seqs, Array.from({ length: seq }, (_, i) => i + 1));
});

Deno.test("back-pressure: a socket that drains its buffer keeps receiving past the hard limit's worth of bytes", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10]);
  a.socket.stalled = true;
  let seq = 0;
  // Bursts of 5,000 bytes or so, each read by the client before the next: far more than the hard limit in all.
  for (let burst = 0; burst < 20; burst++) {
    while (a.socket.bufferedAmount < 5000) hub.deliver(received(10, ++seq));
    a.socket.bufferedAmount = 0;
  }
  assert.equal(a.c.closed, false);
  assert.equal(a.socket.sent.length, seq);
  assert.ok(seq * 200 > LIMITS.sendBufferHardBytes * 5);
  // And stalled for good, it is closed once its buffer passes the limit.
  while (!a.c.closed && seq < 1000) hub.deliver(received(10, ++seq));
  assert.equal(a.socket.closedWith?.code, 1013);
  assert.ok(a.socket.bufferedAmount <= LIMITS.sendBufferHardBytes + 1000);
});

Deno.test("a resume buffer that grows without bound closes the connection", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10]);
  a.c.pending = [];
  for (let s = 1; s <= 10_001; s++) hub.deliver(received(10, s));
  assert.equal(a.socket.closedWith?.code, 1013);
  assert.equal(hub.conns.size, 0);
});

Deno.test("a socket whose send throws is closed with 1011 and forgotten", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10]);
  const b = conn(hub, "b", 2, [10]);
  a.socket.failSend = true;
  hub.deliver(received(10, 1));
  assert.equal(a.socket.closedWith?.code, 1011);
  assert.equal(b.socket.sent.length, 1);
  assert.deepEqual(hub.connectionsOf(1), []);
});

Deno.test("closeUser and closeAll close every connection with the code given", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [10]);
  const a2 = conn(hub, "a2", 1, [10]);
  const b = conn(hub, "b", 2, [10]);
  hub.closeUser(1, 4001, "session ended");
  assert.equal(a.socket.closedWith?.code, 4001);
  assert.equal(a2.socket.closedWith?.code, 4001);
  assert.equal(b.socket.closedWith?.code, undefined);
  hub.closeAll(1001, "bye");
  assert.equal(b.socket.closedWith?.code, 1001);
  assert.equal(hub.conns.size, 0);
});
