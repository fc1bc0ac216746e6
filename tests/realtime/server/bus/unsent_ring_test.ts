/**
 * What a Postgres bus keeps of what it published alone (`UnsentRing`, realtime/server/bus/pg_notify.ts), for a
 * newcomer: in publish order, a sequenced event as its type, channel and sequence, any other whole; at most
 * its capacity (the oldest go first, across the ring's wrap); what is older than a cutoff is left out.
 */
import assert from "node:assert/strict";
import { UnsentRing } from "../../../../realtime/server/bus/pg_notify.ts";
import type { Envelope, ServerEvent } from "../../../../realtime/protocol.ts";

const seqEnv = (channelId: number, seq: number): Envelope => ({
  event: { type: "message_deleted", channelId, seq, messageId: seq } as unknown as ServerEvent,
  audience: { kind: "channel", channelId },
  workspaceId: 7,
});
const typing: Envelope = {
  event: { type: "typing", channelId: 3, userId: 9 } as unknown as ServerEvent,
  audience: { kind: "channel", channelId: 3 },
  workspaceId: 7,
};
const kept = (channelId: number, seq: number, type = "message_deleted") => ({
  event: { type, channelId, seq },
  audience: { kind: "channel", channelId },
  workspaceId: 0,
});

Deno.test("kept in publish order: a sequenced event as type, channel and sequence, another whole", () => {
  const r = new UnsentRing(8);
  r.push(100, seqEnv(1, 1));
  r.push(100, typing);
  r.push(101, seqEnv(2, 5));
  assert.deepEqual(r.takeFrom(0), [kept(1, 1), typing, kept(2, 5)]);
  assert.equal(r.size, 0);
  assert.deepEqual(r.takeFrom(0), []);
});

Deno.test("at most its capacity, the oldest dropped first, across the wrap", () => {
  const r = new UnsentRing(4);
  for (let i = 1; i <= 10; i++) r.push(i, i === 8 ? typing : seqEnv(1, i));
  assert.equal(r.size, 4);
  assert.deepEqual(r.takeFrom(0), [kept(1, 7), typing, kept(1, 9), kept(1, 10)]);
  // Reused after being emptied.
  r.push(20, seqEnv(4, 1));
  assert.deepEqual(r.takeFrom(0), [kept(4, 1)]);
});

Deno.test("what was published before the cutoff is dropped, and left out of what a newcomer gets", () => {
  const r = new UnsentRing(16);
  for (let i = 1; i <= 6; i++) r.push(i * 1000, seqEnv(1, i));
  r.dropBefore(3000);
  assert.equal(r.size, 4);
  assert.deepEqual(r.takeFrom(5000), [kept(1, 5), kept(1, 6)]);
});
