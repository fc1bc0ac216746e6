/**
 * Calls across instances (two Parley servers on one Postgres, events over LISTEN/NOTIFY): the person called
 * rings on every instance where they have a socket, answering on one stops the ringing on the other, and
 * signaling reaches the answering socket on the other instance (and no other socket).
 */
import type { Server } from "../../../main.ts";
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import { dropPostgresUrl } from "../../helpers/db.ts";
import { fixture } from "../../helpers/fixture.ts";
import { type Frame, pgNotifyInstance, requirePostgres, sessionFor, WsClient } from "../helpers.ts";

const callOf = (id: number) => (f: Frame) => f.type === "call_updated" && f.call?.id === id;
const stateOf = (f: Frame, userId: number) =>
  f.call.participants.find((p: { userId: number }) => p.userId === userId);

Deno.test({
  name: "calls on every instance: ringing, answered elsewhere, signaling to the answering socket",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const url = await requirePostgres();
    const a = await pgNotifyInstance(url, "a");
    const b = await pgNotifyInstance(url, "b");
    const sockets: WsClient[] = [];
    try {
      const f = await fixture(a.deps.db, { config: a.deps.config });
      f.deps = a.deps;
      const dm = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.bob.id });
      const open = async (server: Server, u: { id: number; workspaceId: number }) => {
        const ws = await WsClient.open(
          server.url.replace("localhost", "127.0.0.1"),
          await sessionFor(f.deps.db, u),
        );
        sockets.push(ws);
        await ws.ok("hello", {});
        return ws;
      };
      const alice = await open(a, f.users.alice);
      const bobOnA = await open(a, f.users.bob);
      const bobOnB = await open(b, f.users.bob);

      const started = await alice.ok("call_start", { channelId: dm.id, media: "video" });
      const id = started.call.id;
      for (const s of [bobOnA, bobOnB]) {
        const ring = await s.waitFor(callOf(id), { timeoutMs: 15_000 });
        assert.equal(stateOf(ring, f.users.bob.id).state, "ringing");
      }

      // Bob answers on instance b: his socket on a learns it (and stops ringing), alice sees him joined.
      const markA = bobOnA.frames.length;
      const joined = await bobOnB.ok("call_join", { callId: id });
      assert.deepEqual(joined.peers, [f.users.alice.id]);
      const elsewhere = await bobOnA.waitFor(
        (x) => callOf(id)(x) && stateOf(x, f.users.bob.id).state === "joined",
        { from: markA, timeoutMs: 15_000 },
      );
      assert.equal(stateOf(elsewhere, f.users.bob.id).connectionId, bobOnB.ready!.connectionId);
      await alice.waitFor((x) => callOf(id)(x) && x.call.state === "active", { timeoutMs: 15_000 });

      // Signaling from alice on a reaches bob's socket on b only, and back.
      await alice.ok("call_signal", {
        callId: id,
        toUserId: f.users.bob.id,
        signal: { kind: "offer", sdp: "v=0 across" },
      });
      const sig = await bobOnB.waitFor((x) => x.type === "call_signal", { timeoutMs: 15_000 });
      assert.deepEqual(sig.signal, { kind: "offer", sdp: "v=0 across" });
      assert.equal(sig.fromUserId, f.users.alice.id);
      await bobOnB.ok("call_signal", {
        callId: id,
        toUserId: f.users.alice.id,
        signal: { kind: "answer", sdp: "v=0 back" },
      });
      const back = await alice.waitFor((x) => x.type === "call_signal", { timeoutMs: 15_000 });
      assert.deepEqual(back.signal, { kind: "answer", sdp: "v=0 back" });
      // Bob's socket on a is not in the call: it may not signal, and it got no signal.
      const refused = await bobOnA.fails("call_signal", {
        callId: id,
        toUserId: f.users.alice.id,
        signal: { kind: "answer", sdp: "v=0 wrong tab" },
      });
      assert.equal(refused.code, "not_in_call");
      assert.equal(bobOnA.of("call_signal").length, 0);

      // Hanging up on b ends the call for everyone.
      await bobOnB.ok("call_leave", { callId: id });
      const ended = await alice.waitFor((x) => callOf(id)(x) && x.call.state === "ended", {
        timeoutMs: 15_000,
      });
      assert.equal(ended.call.endReason, "completed");
    } finally {
      for (const ws of sockets) ws.close();
      await a.shutdown();
      await b.shutdown();
      await dropPostgresUrl(url).catch(() => {});
    }
  },
});
