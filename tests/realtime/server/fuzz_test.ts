/**
 * Thousands of malformed and random frames (bad JSON, wrong types, unknown actions, prototype keys, deep
 * nesting, binary, oversize) thrown at the gateway of a server process from other accounts, while two
 * people chat. The process stays up, every frame gets exactly one answer (an error frame, an ack, or for
 * an oversize frame a 1009 close), no answer is an internal error, and the conversation is unaffected.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import {
  brief,
  ChannelStore,
  ChildServer,
  dbHistory,
  extraUsers,
  prepareDb,
  requirePostgres,
  sessionFor,
  until,
  WsClient,
} from "../helpers.ts";

const SOCKETS = 5;
const FRAMES_PER_SOCKET = 2500;
/** RATE_OVERSIZE_FRAMES_PER_MINUTE's default: after these, the user's next socket is refused. */
const OVERSIZE = 3;
const CONVERSATION = 60;

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTIONS = [
  "hello",
  "ping",
  "send_message",
  "edit_message",
  "delete_message",
  "add_reaction",
  "remove_reaction",
  "join_channel",
  "leave_channel",
  "typing_start",
  "typing_stop",
  "update_presence",
  "message_read",
  "replay",
];
const FIELDS = [
  "channelId",
  "messageId",
  "clientId",
  "body",
  "emoji",
  "seq",
  "afterSeq",
  "status",
  "statusText",
  "awayMessage",
  "page",
  "replyTo",
  "channels",
  "type",
];

function generator(seed: number, ids: number[]) {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (n: number) => Math.floor(r() * n);
  const str = (n: number) =>
    Array.from(
      { length: n },
      () => String.fromCodePoint(pick([32 + int(95), int(0xd7ff), 0x1f600 + int(80), int(32)])),
    ).join("");
  const value = (depth = 0): unknown =>
    pick<() => unknown>([
      () => pick(ids),
      () => pick([-1, 0, 1.5, 1e308, -0, 2 ** 60, Number.MAX_SAFE_INTEGER]),
      () =>
        pick([
          "1",
          "NaN",
          "",
          " ",
          "null",
          "👍",
          ":+1:",
          "<script>alert(1)</script>",
          "x".repeat(int(20_000)),
        ]),
      () => str(int(40)),
      () => pick([null, true, false]),
      () => (depth > 2 ? [] : Array.from({ length: int(4) }, () => value(depth + 1))),
      () => (depth > 2
        ? {}
        : Object.fromEntries(Array.from({ length: int(4) }, () => [str(int(8)), value(depth + 1)]))),
    ])();
  let n = 0;
  const id = () =>
    r() < 0.8
      ? `f${n++}`
      : pick<() => unknown>([() => int(100), () => null, () => "x".repeat(65), () => ({})])();
  // Under the 64 KiB frame limit (oversize frames are tested on their own sockets).
  return (): string | Uint8Array => {
    const f = frame();
    return typeof f === "string" && f.length > 60_000 ? f.slice(0, 60_000) : f;
  };
  function frame(): string | Uint8Array {
    switch (int(12)) {
      case 0:
        return pick([
          () => str(int(200)),
          () => `{"id":"f${n++}","action":"send_message","body":"\ud800\u0000\udfff"}`,
        ])();
      case 1: {
        const text = JSON.stringify({ id: `f${n++}`, action: pick(ACTIONS), channelId: pick(ids) });
        return text.slice(0, int(text.length));
      }
      case 2:
        return JSON.stringify(value());
      case 3: {
        const depth = 100 + int(5000);
        return "[".repeat(depth) + "]".repeat(pick([depth, 0, depth - 1]));
      }
      case 4:
        return crypto.getRandomValues(new Uint8Array(int(300)));
      case 5:
        return JSON.stringify({ id: id(), action: str(int(20)) });
      case 6:
        return `{"id":"f${n++}","action":"${
          pick(ACTIONS)
        }","__proto__":{"channelId":1,"admin":true},"constructor":{"prototype":{}}}`;
      case 7:
        return JSON.stringify({
          id: `f${n++}`,
          action: pick([
            "__proto__",
            "constructor",
            "toString",
            "hasOwnProperty",
            "hello ",
            "PING",
            "valueOf",
          ]),
        });
      case 8:
        return JSON.stringify({
          id: `f${n++}`,
          action: "hello",
          channels: Object.fromEntries(
            Array.from({ length: int(300) }, () => [pick([String(pick(ids)), str(5), "-1", "1e3"]), value()]),
          ),
          page: value(),
        });
      default: {
        const frame: Record<string, unknown> = { id: id(), action: pick(ACTIONS) };
        for (let i = int(5); i > 0; i--) frame[pick(FIELDS)] = value();
        if (r() < 0.1) frame[str(6)] = value();
        return JSON.stringify(frame);
      }
    }
  }
}

Deno.test({
  name: "fuzz: thousands of malformed frames; the process stays up and a conversation is unaffected",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const url = await requirePostgres();
    const { db, f } = await prepareDb(url);
    let server: ChildServer | null = null;
    const seed = Number(Deno.env.get("FUZZ_SEED") ?? Date.now() % 1_000_000);
    try {
      const safe = (await channels.create(f.deps, f.actor("mod"), {
        name: "safe",
        kind: "private_channel",
        memberIds: [f.users.alice.id, f.users.bob.id],
      })).id;
      // Each fuzzing socket is its own account, so per-user rate limits do not hide the action handlers.
      const fuzzers = await extraUsers(db, f.ws, SOCKETS);
      const playground = (await channels.create(f.deps, f.actor("mod"), {
        name: "playground",
        memberIds: fuzzers.map((u) => u.id),
      })).id;
      const general = (await channels.create(f.deps, f.actor("mod"), { name: "general" })).id;
      server = await ChildServer.start({ DATABASE_URL: url, PARLEY_BUS: "pg_notify" });
      const base = server.url;

      // Two people talk in #safe the whole time.
      const talk = async () => {
        const people = [] as { ws: WsClient; store: ChannelStore }[];
        for (const u of [f.users.alice, f.users.bob]) {
          const ws = await WsClient.open(base, await sessionFor(db, u));
          const store = new ChannelStore([safe]);
          store.attach(ws);
          await ws.ok("hello", { channels: store.lastSeqs() });
          people.push({ ws, store });
        }
        for (let i = 0; i < CONVERSATION; i++) {
          const p = people[i % 2];
          const r = await p.ws.ok("send_message", {
            channelId: safe,
            clientId: `talk-${i}`,
            body: `line ${i}`,
          });
          assert.equal(r.message.seq, i + 1);
          if (i % 10 === 0) await p.ws.ok("typing_start", { channelId: safe });
        }
        return people;
      };

      // The fuzzer: several sockets, each frame answered exactly once.
      const ids = [safe, playground, general, 1, 2, 999_999];
      const fuzzSocket = async (k: number) => {
        const ws = await WsClient.open(base, await sessionFor(db, fuzzers[k]));
        const next = generator(seed + k, ids);
        let sent = 0;
        for (let i = 0; i < FRAMES_PER_SOCKET; i++) {
          ws.send(next());
          sent++;
          if (i % 200 === 0) await new Promise((r) => setTimeout(r, 0));
        }
        const answers = () => ws.frames.filter((x) => x.type === "ack" || x.type === "error");
        await until(
          `socket ${k}: an answer to each of ${sent} frames`,
          () => ws.isClosed || answers().length >= sent,
          120_000,
        );
        assert.equal(ws.isClosed, false, `socket ${k} stays open`);
        await ws.ok("ping");
        assert.equal(answers().length, sent + 1, `socket ${k}: exactly one answer per frame`);
        ws.close();
        return answers();
      };
      const oversize = async () => {
        const codes = [];
        for (let i = 0; i < OVERSIZE; i++) {
          const ws = await WsClient.open(base, await sessionFor(db, f.users.carol));
          ws.send(
            JSON.stringify({ id: "big", action: "send_message", body: "x".repeat(70_000 + i * 100_000) }),
          );
          codes.push((await ws.closed).code);
        }
        // A user who keeps sending oversized frames is refused new sockets for a while.
        await assert.rejects(WsClient.open(base, await sessionFor(db, f.users.carol)), /refused or closed/);
        return codes;
      };

      const [people, answers, closes] = await Promise.all([
        talk(),
        Promise.all(Array.from({ length: SOCKETS }, (_, k) => fuzzSocket(k))),
        oversize(),
      ]);

      assert.deepEqual(closes, Array(OVERSIZE).fill(1009), "oversize frames close with 1009");
      const all = answers.flat();
      const codes = new Map<string, number>();
      for (const a of all) {
        const c = a.type === "ack" ? "ack" : a.error?.code;
        codes.set(c, (codes.get(c) ?? 0) + 1);
      }
      assert.equal(
        codes.get("internal") ?? 0,
        0,
        `no internal errors (seed ${seed}): ${JSON.stringify([...codes])}`,
      );
      for (const a of all.filter((x) => x.type === "error")) {
        assert.equal(typeof a.error.message, "string");
        assert.ok(a.id === null || typeof a.id === "string");
      }

      // The process is up and healthy, and the conversation is exactly what the database holds.
      assert.equal(server.exited, false, "the process stays up");
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      await health.body?.cancel();
      const history = await dbHistory(db, safe);
      assert.equal(history.length, CONVERSATION);
      for (const p of people) {
        await until("both see the whole conversation", () => p.store.lastSeq(safe) === CONVERSATION);
        assert.deepEqual(brief(p.store.messages(safe)), history);
        assert.equal(p.store.duplicates, 0);
        assert.deepEqual(p.ws.of("error"), []);
        p.ws.close();
      }
      assert.doesNotMatch(server.log, /Uncaught|panicked|RangeError/);
      console.log(
        `fuzz (seed ${seed}): ${
          SOCKETS * FRAMES_PER_SOCKET
        } random frames on ${SOCKETS} sockets + ${OVERSIZE} ` +
          `oversize; answers ${JSON.stringify(Object.fromEntries([...codes].sort((x, y) => y[1] - x[1])))}`,
      );
    } catch (err) {
      if (server) console.error(`--- server log (seed ${seed}) ---\n${server.log.slice(-4000)}`);
      throw err;
    } finally {
      await server?.kill("SIGTERM");
      await db.close();
    }
  },
});
