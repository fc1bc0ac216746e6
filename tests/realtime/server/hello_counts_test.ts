/**
 * The unread counts of a hello are read when the socket opens (`GatewaySocket`), while the client answers
 * `ready`. A message that reaches the socket between that read and the hello (it waits in `pending`, as every
 * event before the hello does) must still be counted exactly once by a client that applies the frames in
 * order (`unread_counts` replaces its counts, each later `message_received` from someone else adds one): the
 * hello reads the counts again. Only presence (or typing) between the two keeps the early read, whose frame
 * then goes before those held events. The hub, the database and the reads are the real ones; the socket is
 * a sink that records frames.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { type Frame, gatewayFixture, Sink } from "./gateway_fixture.ts";
import * as presence from "../../../domain/presence.ts";
import { Connection } from "../../../realtime/server/hub.ts";
import { handleFrame } from "../../../realtime/server/gateway_frames.ts";
import { until } from "../until.ts";

/** What a client applying the frames in order shows as the channel's unread count (null before any count). */
function shownUnread(frames: Frame[], channelId: number, me: number): number | null {
  let unread: number | null = null;
  for (const f of frames) {
    if (f.type === "unread_counts") {
      const c = (f.counts as { channelId: number; unread: number }[]).find((x) => x.channelId === channelId);
      unread = c?.unread ?? 0;
    } else if (f.type === "message_received" && unread !== null) {
      if ((f.message as { senderId: number | null }).senderId !== me) unread++;
    }
  }
  return unread;
}

interface Opened {
  c: Connection;
  sink: Sink;
  /** The counts read when the socket opened (what `GatewaySocket` reads then). */
  early: unknown;
}

dbTest(
  "a message between the socket's open and its hello is counted once; presence alone keeps the early read",
  async (db) => {
    const { f, general, say, hub, off, reads } = await gatewayFixture(db);
    const alice = f.actor("alice");
    const shown = (s: Opened) => shownUnread(s.sink.frames, general.id, alice.userId);
    /** A socket as the gateway opens it: registered with its channels, holding its events until the hello. */
    const open = (id: string): Opened => {
      const sink = new Sink();
      const c = new Connection(id, alice.userId, f.ws, null, sink);
      c.pending = [];
      hub.add(c, [general.id]);
      return { c, sink, early: null };
    };
    const readEarly = async (s: Opened) => void (s.early = await reads.unreadCounts(alice));
    const hello = async (s: Opened, frame: Record<string, unknown> = {}) => {
      const acks = s.sink.frames.filter((x) => x.type === "ack").length;
      await handleFrame(
        f.deps,
        hub,
        reads,
        alice,
        s.c,
        JSON.stringify({ id: "h", action: "hello", channels: {}, ...frame }),
        () => Promise.resolve(),
        // Offered to every hello: the hello itself takes it only while the socket still holds its first events.
        () => Promise.resolve(s.early as never),
      );
      await until("the hello's ack", () => s.sink.frames.filter((x) => x.type === "ack").length > acks);
    };
    try {
      await say("before the sockets opened");

      // Held before the early read (it counts the message, which then goes out held): read again, once.
      const a = open("a");
      await say("held, then read");
      await until("the message held for the socket", () => a.c.pending!.length === 1);
      await readEarly(a);
      await hello(a);
      assert.equal(a.sink.frames.filter((x) => x.type === "unread_counts").length, 1);
      assert.equal(shown(a), 2, "both messages, each once");

      // Read before a message that is then held: read again, after the held message.
      const b = open("b");
      await readEarly(b);
      await say("read, then held");
      await until("the message held for the socket", () => b.c.pending!.length === 1);
      await hello(b);
      assert.equal(shown(b), 3);
      const counts = b.sink.frames.findIndex((x) => x.type === "unread_counts");
      assert.ok(b.sink.frames.findIndex((x) => x.type === "message_received") < counts, "counted after it");

      // Only a presence change between the two: the early read is the hello's count, written before it.
      const c = open("c");
      hub.followPresence(c.c, [f.users.bob.id]);
      await readEarly(c);
      await presence.setStatus(f.deps, f.actor("bob"), { status: "busy" });
      await until("the presence change held for the socket", () => c.c.pending!.length === 1);
      await hello(c);
      assert.deepEqual(c.sink.frames.map((x) => x.type), ["unread_counts", "presence_updated", "ack"]);
      assert.deepEqual(c.sink.frames[0].counts, c.early);
      assert.equal(shown(c), 3);
      // A message after that frame is the client's to add, once.
      await say("after the hello");
      await until("the live message", () => c.sink.frames.some((x) => x.type === "message_received"));
      assert.equal(shown(c), 4);
      // A second hello on the same socket reads the counts again (nothing is held for it any more).
      c.sink.frames.length = 0;
      await hello(c, { id: "h2" });
      assert.equal(shown(c), 4);
    } finally {
      off();
    }
  },
);
