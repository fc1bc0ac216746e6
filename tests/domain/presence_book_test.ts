/**
 * The presence book (`domain/presence_book.ts`): a hello's snapshot from what the instance knows. Pure: the
 * workspace read, the read of unknown people and the clock are given.
 */
import assert from "node:assert/strict";
import { BOOK_TTL_MS, PresenceBook } from "../../domain/presence_book.ts";
import type { Envelope, PresenceInfo } from "../../realtime/protocol.ts";

const WS = 1;
const p = (userId: number, connections = 0, status: PresenceInfo["status"] = "online"): PresenceInfo => ({
  userId,
  status,
  statusText: "",
  awayMessage: "",
  connections,
});
const announced = (workspaceId: number, ...users: PresenceInfo[]): Envelope => ({
  event: { type: "presence_updated", users },
  audience: { kind: "presence_subscribers" },
  workspaceId,
});

function book(rows: PresenceInfo[]) {
  let now = 0;
  const reads: number[] = [];
  const asked: number[][] = [];
  const b = new PresenceBook((ws) => {
    reads.push(ws);
    return Promise.resolve(ws === WS ? rows.map((r) => ({ ...r })) : []);
  }, () => now);
  const unknown = (known: Record<number, PresenceInfo>) => (ids: number[]) => {
    asked.push(ids);
    return Promise.resolve(ids.flatMap((id) => known[id] ? [known[id]] : []));
  };
  return { b, reads, asked, unknown, tick: (ms: number) => void (now += ms) };
}

Deno.test("presence book: one read per workspace, then what announcements and own sockets tell", async () => {
  const { b, reads, asked, unknown } = book([p(1), p(2), p(3, 1, "busy")]);
  const none = unknown({});
  assert.deepEqual(await b.of(WS, [3, 1, 1], none), [p(1), p(3, 1, "busy")]);
  // Another instance's announcement: carol (2) came online there.
  b.apply(announced(WS, p(2, 1)));
  // An announcement of another workspace changes nothing here.
  b.apply(announced(2, p(1, 5)));
  // This instance's socket of user 1 counts at once (its row and announcement come later).
  b.opened(1, "c1");
  assert.deepEqual(await b.of(WS, [1, 2, 3], none), [p(1, 1), p(2, 1), p(3, 1, "busy")]);
  assert.deepEqual(reads, [WS], "the workspace is read once");
  assert.deepEqual(asked, [], "no one unknown");
  // Closed: the count goes back to what was announced (followers are told after the grace period).
  b.closed("c1");
  b.closed("c1");
  b.closed("never-opened");
  assert.deepEqual(await b.of(WS, [1], none), [p(1)]);
});

Deno.test("presence book: an offline announcement keeps the chosen status for the next connection", async () => {
  const { b, unknown } = book([p(3, 1, "busy")]);
  const none = unknown({});
  await b.of(WS, [3], none);
  b.apply(announced(WS, p(3, 0, "offline")));
  assert.deepEqual(await b.of(WS, [3], none), [p(3, 0, "busy")]);
  b.opened(3, "c3");
  assert.deepEqual(await b.of(WS, [3], none), [p(3, 1, "busy")]);
});

Deno.test("presence book: people not known are read (and kept); others' ids are not shown", async () => {
  const { b, asked, unknown } = book([p(1)]);
  const read = unknown({ 7: p(7, 1) });
  // 7 joined after the workspace was read; 99 is nobody (or of another workspace: the read leaves it out).
  assert.deepEqual(await b.of(WS, [99, 7, 1], read), [p(1), p(7, 1)]);
  assert.deepEqual(asked, [[99, 7]]);
  assert.deepEqual(await b.of(WS, [7], read), [p(7, 1)]);
  assert.deepEqual(asked, [[99, 7]], "7 is known now");
  // A person deactivated (the event that ends their sessions) is left out from then on.
  b.apply({
    event: { type: "session_revoked", reason: "deactivated" },
    audience: { kind: "users", userIds: [7] },
    workspaceId: WS,
  });
  assert.deepEqual(await b.of(WS, [1, 7], read), [p(1)]);
  // Signed out (not deactivated): still shown.
  b.apply({
    event: { type: "session_revoked", reason: "signed out by an administrator" },
    audience: { kind: "users", userIds: [1] },
    workspaceId: WS,
  });
  assert.deepEqual(await b.of(WS, [1], read), [p(1)]);
});

Deno.test("presence book: read again after the TTL; what events told during the read is kept", async () => {
  const rows = [p(1, 1), p(2)];
  const { b, reads, unknown, tick } = book(rows);
  const none = unknown({});
  await b.of(WS, [1, 2], none);
  tick(BOOK_TTL_MS - 1);
  await b.of(WS, [1], none);
  assert.equal(reads.length, 1);
  // The instance that held 1's connection stopped without closing it: nothing announces it, the rows stop
  // counting after a while, and the next read after the TTL shows it.
  rows[0] = p(1, 0);
  tick(1);
  const again = b.of(WS, [1, 2], none);
  // An announcement while that read runs is newer than its rows.
  b.apply(announced(WS, p(2, 1)));
  assert.deepEqual(await again, [p(1, 0), p(2, 1)]);
  assert.equal(reads.length, 2);
});

Deno.test("presence book: announcements during the first read are not lost", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const b = new PresenceBook(async () => {
    await gate;
    return [p(1), p(2)];
  });
  const first = b.of(WS, [1, 2], () => Promise.resolve([]));
  b.apply(announced(WS, p(2, 1)));
  release();
  assert.deepEqual(await first, [p(1), p(2, 1)]);
});
