/**
 * A hello that comes after the gateway stopped holding live events for it (`ResumeDeadlines`, a socket whose
 * hello the server read more than the hold later, as in a reconnect storm on a saturated machine): live events
 * already went out, so what the client lacks before them cannot come in order. The channel is resynced
 * instead of the replay being cut by sequence (before, the events between the client's last and the first
 * live one were silently never sent). A hello in time still replays in order. The hub, the database, the
 * replay and the deadlines are the real ones; the socket is a sink that records frames.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { gatewayFixture, Sink } from "./gateway_fixture.ts";
import { Connection } from "../../../realtime/server/hub.ts";
import { handleFrame } from "../../../realtime/server/gateway_frames.ts";
import { ResumeDeadlines } from "../../../realtime/server/gateway_socket.ts";
import { until } from "../until.ts";

dbTest("a hello after the hold ended resyncs the channel; a hello in time replays in order", async (db) => {
  const { f, general, say, hub, off, reads } = await gatewayFixture(db);
  const deadlines = new ResumeDeadlines(hub, 50);
  try {
    const before = (await say("before the sockets opened")).message.seq;
    const open = (id: string) => {
      const sink = new Sink();
      const c = new Connection(id, f.users.alice.id, f.ws, null, sink);
      c.pending = [];
      hub.add(c, [general.id]);
      deadlines.add(c);
      return { c, sink };
    };
    const hello = (c: Connection) =>
      handleFrame(
        f.deps,
        hub,
        reads,
        f.actor("alice"),
        c,
        JSON.stringify({ id: "h", action: "hello", channels: { [general.id]: before - 1 } }),
        () => Promise.resolve(),
      );
    const late = open("late");
    const inTime = open("in-time");
    await hello(inTime.c);
    const live = (await say("while the late one said nothing")).message.seq;
    // The hold ends: the live event goes out to the late socket, without the one before it.
    await until("the live event on the late socket", () => late.sink.seqs().includes(live));
    assert.deepEqual(late.sink.seqs(), [live]);
    await hello(late.c);
    await until("the late hello's ack", () => late.sink.frames.some((x) => x.type === "ack"));
    const resync = late.sink.frames.filter((x) => x.type === "resync_required");
    assert.deepEqual(resync.map((x) => x.channelId), [general.id]);
    assert.deepEqual(late.sink.seqs(), [live], "nothing replayed out of order");
    // In time: the missed message replayed, then the live one, in order.
    assert.deepEqual(inTime.sink.seqs(), [before, live]);
    assert.equal(inTime.sink.frames.filter((x) => x.type === "resync_required").length, 0);
  } finally {
    off();
    deadlines.stop();
  }
});
