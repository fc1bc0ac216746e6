/**
 * The hub's presence subscriptions on their own: a window's `presence_updated` goes only to sockets that
 * follow someone in it, each listing just the people it follows; the index is kept on replace and close;
 * another workspace's sockets get nothing; presence stays droppable under back-pressure. Fake sockets,
 * the real hub.
 */
import assert from "node:assert/strict";
import { Connection, Hub, type Socket } from "../../../realtime/server/hub.ts";
import type { Envelope, PresenceInfo, ServerEvent } from "../../../realtime/protocol.ts";

class FakeSocket implements Socket {
  sent: string[] = [];
  bufferedAmount = 0;
  send(data: string) {
    this.sent.push(data);
  }
  close() {}
  events(): ServerEvent[] {
    return this.sent.map((s) => JSON.parse(s));
  }
  /** The user ids of each presence frame written. */
  presence(): number[][] {
    return this.events().flatMap((e) => e.type === "presence_updated" ? [e.users.map((u) => u.userId)] : []);
  }
}

const LIMITS = { sendBufferSoftBytes: 1000, sendBufferHardBytes: 10_000 };

function conn(hub: Hub, id: string, userId: number, follows: number[], workspaceId = 1) {
  const socket = new FakeSocket();
  const c = new Connection(id, userId, workspaceId, null, socket);
  hub.add(c, []);
  hub.followPresence(c, follows);
  return { c, socket };
}

const online = (userId: number): PresenceInfo => ({
  userId,
  status: "online",
  statusText: "",
  awayMessage: "",
  connections: 1,
});

const window = (userIds: number[], workspaceId = 1): Envelope => ({
  event: { type: "presence_updated", users: userIds.map(online) },
  audience: { kind: "presence_subscribers" },
  workspaceId,
});

Deno.test("presence: a socket gets only the people it follows; one that follows nobody gets nothing", () => {
  const hub = new Hub(LIMITS);
  const none = conn(hub, "none", 1, []);
  const two = conn(hub, "two", 2, [3, 4]);
  const one = conn(hub, "one", 5, [4]);
  const same = conn(hub, "same", 6, [4, 9]);
  hub.deliver(window([3, 4, 7]));
  hub.deliver(window([8]));
  assert.deepEqual(none.socket.sent, []);
  assert.deepEqual(two.socket.presence(), [[3, 4]]);
  assert.deepEqual(one.socket.presence(), [[4]]);
  // Sockets following the same people in the window are written the same frame.
  assert.deepEqual(same.socket.sent, one.socket.sent);
  // A socket following everyone in the window gets it whole.
  hub.deliver(window([3]));
  assert.deepEqual(two.socket.presence(), [[3, 4], [3]]);
  assert.deepEqual(one.socket.presence(), [[4]]);
});

Deno.test("presence: replacing the subscription and closing the socket keep the index exact", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [3, 4]);
  const b = conn(hub, "b", 2, [4]);
  assert.deepEqual([hub.followerCount(3), hub.followerCount(4)], [1, 2]);
  hub.followPresence(a.c, [5]);
  assert.deepEqual([hub.followerCount(3), hub.followerCount(4), hub.followerCount(5)], [0, 1, 1]);
  hub.deliver(window([3, 4, 5]));
  assert.deepEqual(a.socket.presence(), [[5]]);
  assert.deepEqual(b.socket.presence(), [[4]]);
  hub.unfollowPresence(a.c, [5, 6]);
  assert.deepEqual([...a.c.follows], []);
  assert.equal(hub.followerCount(5), 0);
  hub.followPresence(a.c, [4]);
  hub.close(b.c, 1000, "bye");
  assert.equal(hub.followerCount(4), 1);
  hub.remove(a.c);
  assert.equal(hub.followerCount(4), 0);
  // A closed socket cannot follow again (a late presence_sub ack after the close).
  hub.followPresence(a.c, [4]);
  assert.equal(hub.followerCount(4), 0);
  hub.deliver(window([4]));
  assert.deepEqual([a.socket.presence().length, b.socket.presence().length], [1, 1]);
});

Deno.test("presence: sockets of another workspace get nothing, even following the same id", () => {
  const hub = new Hub(LIMITS);
  const mine = conn(hub, "mine", 1, [3], 1);
  const other = conn(hub, "other", 2, [3], 2);
  hub.deliver(window([3], 1));
  assert.deepEqual(mine.socket.presence(), [[3]]);
  assert.deepEqual(other.socket.sent, []);
});

Deno.test("presence: still dropped for a socket past the soft buffer limit; others get it", () => {
  const hub = new Hub(LIMITS);
  const slow = conn(hub, "slow", 1, [3]);
  const fast = conn(hub, "fast", 2, [3]);
  slow.socket.bufferedAmount = 5000;
  hub.deliver(window([3]));
  assert.deepEqual(slow.socket.sent, []);
  assert.deepEqual(fast.socket.presence(), [[3]]);
  assert.equal(hub.stats.dropped, 1);
});

Deno.test("presence: each frame's text is exactly JSON.stringify of its event (people encoded once per window)", () => {
  const hub = new Hub(LIMITS);
  const a = conn(hub, "a", 1, [3, 4, 5]);
  const b = conn(hub, "b", 2, [4]);
  const c = conn(hub, "c", 6, [5, 3]);
  const odd: PresenceInfo = {
    userId: 5,
    status: "away",
    statusText: 'Lunch "outside" \u2014 \\ back soon\n',
    awayMessage: "\u0001",
    connections: 0,
  };
  const users = [online(3), online(4), odd];
  hub.deliver({
    event: { type: "presence_updated", users },
    audience: { kind: "presence_subscribers" },
    workspaceId: 1,
  });
  assert.deepEqual(a.socket.sent, [JSON.stringify({ type: "presence_updated", users })]);
  assert.deepEqual(b.socket.sent, [JSON.stringify({ type: "presence_updated", users: [online(4)] })]);
  assert.deepEqual(c.socket.sent, [JSON.stringify({ type: "presence_updated", users: [online(3), odd] })]);
});
