/**
 * One contract for the three event buses (memory, BroadcastChannel, Postgres LISTEN/NOTIFY): local
 * subscribers get every envelope at once and in order; a failing subscriber hurts nobody; and, for the
 * buses that span instances, another instance gets every envelope exactly once, each channel's events in
 * sequence order, however large the event. Sequenced events are committed to the event log first, as
 * `domain/publish.ts` does, since the NOTIFY bus loads them from there.
 */
import assert from "node:assert/strict";
import type { Db } from "../../../../db/client.ts";
import { openDb } from "../../../../db/client.ts";
import * as messagesRepo from "../../../../db/repos/messages.ts";
import * as channelsRepo from "../../../../db/repos/channels.ts";
import type { Envelope, Message, SequencedEvent } from "../../../../realtime/protocol.ts";
import type { EventBus } from "../../../../realtime/server/bus/bus.ts";
import { memoryBus } from "../../../../realtime/server/bus/memory.ts";
import { broadcastChannelBus } from "../../../../realtime/server/bus/broadcast_channel.ts";
import { type LoadEvents, pgNotifyBus } from "../../../../realtime/server/bus/pg_notify.ts";
import { migrate } from "../../../../db/migrate.ts";
import { postgresUrl } from "../../../helpers/db.ts";
import { fixture } from "../../../helpers/fixture.ts";
import { until } from "../../until.ts";

interface Impl {
  name: string;
  /** Two instances of the bus (the second is null for the in-process bus), on one database. */
  open(
    db: Db,
    url: string | null,
    load: LoadEvents,
  ): Promise<{ a: EventBus; b: EventBus | null; close(): Promise<void> }>;
}

const IMPLS: Impl[] = [
  {
    name: "memory",
    open() {
      const a = memoryBus();
      return Promise.resolve({ a, b: null, close: () => a.close() });
    },
  },
  {
    name: "broadcast_channel",
    open() {
      const name = `parley-test-${crypto.randomUUID()}`;
      const a = broadcastChannelBus(name);
      const b = broadcastChannelBus(name);
      return Promise.resolve({ a, b, close: async () => void (await a.close(), await b.close()) });
    },
  },
  {
    name: "pg_notify",
    async open(db, url, load) {
      // Two instances: on Postgres each with its own connection pool, as two processes would have.
      const dbB = url ? await openDb({ databaseUrl: url, dataDir: "" }) : db;
      const a = await pgNotifyBus(db, "inst-a", load);
      const b = await pgNotifyBus(dbB, "inst-b", load);
      return {
        a,
        b,
        async close() {
          await a.close();
          await b.close();
          if (dbB !== db) await dbB.close();
        },
      };
    },
  },
];

/**
 * Commits `n` sequenced events per channel to the log, each with its stored message, and returns their
 * envelopes as the domain would publish them (the log keeps the message id; loading builds the message).
 */
async function commitEvents(
  db: Db,
  ws: number,
  channelIds: number[],
  n: number,
  body = "x",
): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for (let i = 0; i < n; i++) {
    for (const ch of channelIds) {
      const seq = await channelsRepo.nextSeq(db, ch, true);
      const message: Message = (await messagesRepo.insert(db, {
        workspaceId: ws,
        channelId: ch,
        senderId: null,
        clientId: `k${ch}-${seq}`,
        seq,
        type: "text",
        body,
        replyTo: null,
        mentions: [],
      }))!;
      const event: SequencedEvent = { type: "message_received", channelId: ch, seq, message };
      await messagesRepo.appendEvent(db, ws, event);
      out.push({ event, audience: { kind: "channel", channelId: ch }, workspaceId: ws });
    }
  }
  return out;
}

/** The event as canonical JSON (keys sorted): events loaded back from jsonb have another key order. */
const key = (e: Envelope) => canonical(e.event);
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(",")}]`
    : v && typeof v === "object"
    ? `{${
      Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(",")
    }}`
    : JSON.stringify(v);

/** PGlite, and the real Postgres when there is one; the URL lets a second instance open its own pool. */
const ENGINES: { name: string; open(): Promise<{ db: Db; url: string | null }> }[] = [
  {
    name: "pglite",
    async open() {
      const db = await openDb({ dataDir: "memory://" });
      await migrate(db, () => {});
      return { db, url: null };
    },
  },
  ...(Deno.env.get("TEST_DATABASE_URL")
    ? [{
      name: "postgres",
      async open() {
        const url = (await postgresUrl())!;
        const db = await openDb({ databaseUrl: url, dataDir: "" });
        await migrate(db, () => {});
        return { db, url };
      },
    }]
    : []),
];

for (const impl of IMPLS) {
  for (const engine of ENGINES) {
    const test = (name: string, fn: (ctx: Ctx) => Promise<void>) =>
      Deno.test({
        name: `${impl.name} bus: ${name} [${engine.name}]`,
        sanitizeOps: false,
        sanitizeResources: false,
        async fn() {
          const { db, url } = await engine.open();
          try {
            const f = await fixture(db);
            const chans = [];
            for (const name of ["one", "two", "three"]) {
              chans.push(
                (await channelsRepo.insert(db, {
                  workspaceId: f.ws,
                  kind: "public_channel",
                  name,
                  createdBy: null,
                })).id,
              );
            }
            const load: LoadEvents = (ch, seqs) => messagesRepo.envelopes(db, ch, seqs);
            const buses = await impl.open(db, url, load);
            try {
              await fn({ db, ws: f.ws, chans, ...buses, load });
            } finally {
              await buses.close();
            }
          } finally {
            await db.close();
          }
        },
      });

    test("local subscribers get every envelope at once, in order; unsubscribe stops them", async (c) => {
      const envs = await commitEvents(c.db, c.ws, c.chans, 3);
      const got: Envelope[] = [];
      const off = c.a.subscribe((e) => got.push(e));
      c.a.publish(envs.slice(0, 4));
      c.a.publish(envs.slice(4));
      assert.deepEqual(got.map(key), envs.map(key), "synchronously, before publish returns");
      off();
      c.a.publish(await commitEvents(c.db, c.ws, c.chans, 1));
      assert.equal(got.length, envs.length);
    });

    test("a throwing subscriber does not stop the others and publish never throws", async (c) => {
      const envs = await commitEvents(c.db, c.ws, c.chans, 1);
      const got: Envelope[] = [];
      const errors: unknown[] = [];
      const orig = console.error;
      console.error = (...args: unknown[]) => void errors.push(args);
      try {
        c.a.subscribe(() => {
          throw new Error("subscriber bug");
        });
        c.a.subscribe((e) => got.push(e));
        c.a.publish(envs);
      } finally {
        console.error = orig;
      }
      assert.equal(got.length, envs.length);
      assert.equal(errors.length, envs.length, "each failure is logged");
    });

    if (impl.name === "memory") continue;

    test("another instance gets every envelope exactly once, each channel in sequence order", async (c) => {
      const gotA: Envelope[] = [];
      const gotB: Envelope[] = [];
      c.a.subscribe((e) => gotA.push(e));
      c.b!.subscribe((e) => gotB.push(e));
      const all: Envelope[] = [];
      // Publishes spread over many ticks and batches, interleaving channels and ephemeral events.
      for (let round = 0; round < 40; round++) {
        const envs = await commitEvents(c.db, c.ws, c.chans, 1 + (round % 3));
        envs.push({
          event: { type: "user_typing", channelId: c.chans[0], userId: round + 1, typing: true },
          audience: { kind: "channel", channelId: c.chans[0] },
          workspaceId: c.ws,
        });
        all.push(...envs);
        c.a.publish(envs);
        if (round % 5 === 0) await new Promise((r) => setTimeout(r, 0));
      }
      await until("instance b to get everything", () => gotB.length >= all.length, 20_000);
      assert.deepEqual(gotA.map(key), all.map(key), "the publisher's own subscribers, once each");
      assert.equal(gotB.length, all.length, "no duplicates");
      assert.deepEqual(new Set(gotB.map(key)), new Set(all.map(key)));
      for (const ch of c.chans) {
        const seqs = gotB.filter((e) => e.event.type === "message_received" && e.event.channelId === ch)
          .map((e) => (e.event as SequencedEvent).seq);
        assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), `channel ${ch} in order`);
      }
      // And nothing comes back to the publisher through the other side.
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(gotA.length, all.length);
    });

    test("both instances publish; each gets the other's events", async (c) => {
      const gotA: Envelope[] = [];
      const gotB: Envelope[] = [];
      c.a.subscribe((e) => gotA.push(e));
      c.b!.subscribe((e) => gotB.push(e));
      const fromA = await commitEvents(c.db, c.ws, [c.chans[0]], 5);
      const fromB = await commitEvents(c.db, c.ws, [c.chans[1]], 5);
      c.a.publish(fromA);
      c.b!.publish(fromB);
      await until("both sides", () => gotA.length === 10 && gotB.length === 10, 20_000);
      assert.deepEqual(gotA.slice(0, 5).map(key), fromA.map(key));
      assert.deepEqual(new Set(gotA.map(key)), new Set(gotB.map(key)));
    });

    test("an ephemeral event larger than a NOTIFY payload still reaches the other instance", async (c) => {
      const gotB: Envelope[] = [];
      c.b!.subscribe((e) => gotB.push(e));
      const counts = Array.from({ length: 400 }, (_, i) => ({
        channelId: i + 1,
        unread: i,
        mentions: i % 3,
        lastReadSeq: i * 7,
      }));
      const big: Envelope = {
        event: { type: "unread_counts", counts },
        audience: { kind: "users", userIds: [1] },
        workspaceId: c.ws,
      };
      assert.ok(JSON.stringify(big).length > 8000);
      const small: Envelope = {
        event: { type: "user_typing", channelId: c.chans[0], userId: 1, typing: false },
        audience: { kind: "channel", channelId: c.chans[0] },
        workspaceId: c.ws,
      };
      c.a.publish([big, small]);
      await until("both envelopes on instance b", () => gotB.length === 2, 20_000);
      assert.deepEqual(gotB.map(key).sort(), [big, small].map(key).sort());
    });

    if (impl.name !== "pg_notify") continue;

    test("remote sequenced events are delivered in order even when loading them takes uneven time", async (c) => {
      // Instance b's loader answers late for some batches: delivery must still keep each channel's order.
      await c.b!.close();
      let n = 0;
      const slowLoad: LoadEvents = async (ch, seqs) => {
        const delay = n++ % 2 === 0 ? 60 : 0;
        await new Promise((r) => setTimeout(r, delay));
        return await c.load(ch, seqs);
      };
      const b = await pgNotifyBus(c.db, "inst-c", slowLoad);
      try {
        const got: Envelope[] = [];
        b.subscribe((e) => got.push(e));
        const all: Envelope[] = [];
        for (let i = 0; i < 20; i++) {
          const envs = await commitEvents(c.db, c.ws, [c.chans[0]], 1);
          all.push(...envs);
          c.a.publish(envs);
          await new Promise((r) => setTimeout(r, 5));
        }
        await until("all events on the slow instance", () => got.length >= all.length, 20_000);
        assert.deepEqual(
          got.map((e) => (e.event as SequencedEvent).seq),
          all.map((e) => (e.event as SequencedEvent).seq),
        );
      } finally {
        await b.close();
      }
    });

    test("alone, an instance sends no notifications; one that starts meanwhile gets every event once", async (c) => {
      // Only instance a: b says goodbye, and a hears it.
      await c.b!.close();
      const seen: string[] = [];
      const stop = await c.db.listen("parley_events", (p) => void seen.push(p));
      try {
        await new Promise((r) => setTimeout(r, 200));
        seen.length = 0;
        c.a.publish(await commitEvents(c.db, c.ws, [c.chans[0]], 3));
        await new Promise((r) => setTimeout(r, 300));
        const events = seen.filter((p) => !/"(hello|alive|bye)":1/.test(p));
        assert.equal(events.length, 0, `nothing is notified while nobody else listens: ${events}`);
        // A newcomer, and events published at once, before a can have heard its hello.
        const b = await pgNotifyBus(c.db, "inst-d", c.load);
        try {
          const got: Envelope[] = [];
          b.subscribe((e) => got.push(e));
          const after = await commitEvents(c.db, c.ws, [c.chans[0], c.chans[1]], 2);
          c.a.publish(after);
          const later = await commitEvents(c.db, c.ws, [c.chans[1]], 2);
          await until("a to hear the newcomer", () => seen.some((p) => p.includes('"inst-d"')), 20_000);
          c.a.publish(later);
          const wanted = [...after, ...later].map(key);
          await until("the newcomer to get what was published since it started", () => {
            const keys = new Set(got.map(key));
            return wanted.every((k) => keys.has(k));
          }, 20_000);
          await new Promise((r) => setTimeout(r, 200));
          const counts = new Map<string, number>();
          for (const k of got.map(key)) counts.set(k, (counts.get(k) ?? 0) + 1);
          assert.ok([...counts.values()].every((n) => n === 1), "each event once");
          for (const ch of [c.chans[0], c.chans[1]]) {
            const seqs = got.filter((e) => e.event.type === "message_received" && e.event.channelId === ch)
              .map((e) => (e.event as SequencedEvent).seq);
            assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), `channel ${ch} in order`);
          }
        } finally {
          await b.close();
        }
      } finally {
        await stop();
      }
    });
  }
}

interface Ctx {
  db: Db;
  ws: number;
  chans: number[];
  a: EventBus;
  b: EventBus | null;
  load: LoadEvents;
}
