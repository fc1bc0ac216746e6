/**
 * Postgres LISTEN/NOTIFY bus for several processes on one database.
 *
 * NOTIFY is never sent inside the message-writing transaction (it takes a global lock at commit). After
 * commit, local subscribers get the full envelope at once; other instances get a small, coalesced
 * notification: for sequenced events only `channelId:seq,seq` (they load the events from the
 * database through `loadEvents`), for ephemeral events the envelope itself, split into chunks when it is
 * larger than a NOTIFY payload may be (8000 bytes).
 *
 * Alone, an instance sends no notifications at all: each one would be a statement and a commit per batch of
 * sends that only comes back to the instance itself. Instances announce themselves when they start (and
 * every few seconds, and when they stop); an instance notifies while it has heard from another one within
 * `PEER_TTL_MS`. What it published alone in the last `UNSENT_KEEP_MS` goes out when it first hears from a
 * newcomer, so events published while the newcomer's announcement was on its way reach it too (each one
 * once: only what was never sent is kept).
 *
 * Order: notifications are sent one after another in publish order, and received ones are handled one
 * after another (a load finishing early never overtakes an earlier one), so another instance sees each
 * instance's events in the order they were published. Under load both sides coalesce: what accumulates
 * while a NOTIFY or a load waits for the pool goes out, or is loaded, in one round.
 */
import type { Envelope, ServerEvent } from "../../protocol.ts";
import { isSequenced } from "../../protocol.ts";
import type { Db } from "../../../db/client.ts";
import { type EventBus, Subscribers } from "./bus.ts";

const CHANNEL = "parley_events";
/** Bytes, below Postgres' 8000-byte payload limit. */
const MAX_PAYLOAD = 7000;
/** Base64 characters per chunk of an oversize envelope (a multiple of 4). */
const CHUNK = 6000;
const PARTIAL_TTL_MS = 60_000;
/** How often an instance says it is alive, and how long another one counts as there after it last spoke. */
const HEARTBEAT_MS = 10_000;
const PEER_TTL_MS = 60_000;
/** What was published alone is kept this long (at most `UNSENT_MAX` envelopes) for a newcomer. */
const UNSENT_KEEP_MS = 3_000;
const UNSENT_MAX = 20_000;

export type LoadEvents = (channelId: number, seqs: number[]) => Promise<Envelope[]>;

const bytes = (s: string) => new TextEncoder().encode(s).length;

function toBase64(text: string): string {
  const b = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin);
}

function fromBase64(b64: string): string {
  const bin = atob(b64);
  const b = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(b);
}

interface Chunk {
  id: string;
  i: number;
  n: number;
  d: string;
}

/**
 * What was published while alone, oldest first, at most `cap` (`UNSENT_MAX`): a ring of columns, so keeping an event
 * allocates nothing. A sequenced event is kept as its publish time, channel, sequence and type (all its
 * notification carries: receivers load the event itself from the channel's log), any other as its envelope.
 * Three seconds of them outlive two scavenges: kept as an object each (and the array holding them, grown and
 * compacted), they were promoted with every event (bench/notes/gc_and_heap.md, "What survives the server's
 * scavenges", thirteenth pass).
 */
export class UnsentRing {
  #at: Float64Array;
  #ch: Float64Array;
  #seq: Float64Array;
  /** Index into `#types` for a sequenced event; -1 for one kept whole in `#env`. */
  #type: Int16Array;
  #env: (Envelope | undefined)[];
  #types: ServerEvent["type"][] = [];
  #head = 0;
  #size = 0;

  constructor(private cap = UNSENT_MAX) {
    this.#at = new Float64Array(cap);
    this.#ch = new Float64Array(cap);
    this.#seq = new Float64Array(cap);
    this.#type = new Int16Array(cap);
    this.#env = new Array<Envelope | undefined>(cap);
  }

  get size() {
    return this.#size;
  }

  push(at: number, env: Envelope) {
    if (this.#size === this.cap) this.#drop();
    const i = (this.#head + this.#size) % this.cap;
    this.#size++;
    this.#at[i] = at;
    const e = env.event;
    if (isSequenced(e)) {
      let t = this.#types.indexOf(e.type);
      if (t < 0) t = this.#types.push(e.type) - 1;
      this.#type[i] = t;
      this.#ch[i] = e.channelId;
      this.#seq[i] = e.seq;
    } else {
      this.#type[i] = -1;
      this.#env[i] = env;
    }
  }

  /** Drops what was published before `cutoff` (oldest first). */
  dropBefore(cutoff: number) {
    while (this.#size && this.#at[this.#head] < cutoff) this.#drop();
  }

  /**
   * Takes what was published from `cutoff` on, oldest first, and empties the ring; for a sequenced event only
   * what `encode` reads of it (its type, channel and sequence).
   */
  takeFrom(cutoff: number): Envelope[] {
    const out: Envelope[] = [];
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#head + k) % this.cap;
      if (this.#at[i] < cutoff) {
        this.#env[i] = undefined;
        continue;
      }
      if (this.#type[i] < 0) {
        out.push(this.#env[i]!);
        this.#env[i] = undefined;
        continue;
      }
      const event = { type: this.#types[this.#type[i]], channelId: this.#ch[i], seq: this.#seq[i] };
      out.push({
        event: event as unknown as ServerEvent,
        audience: { kind: "channel", channelId: this.#ch[i] },
        workspaceId: 0,
      });
    }
    this.#head = this.#size = 0;
    return out;
  }

  #drop() {
    if (this.#type[this.#head] < 0) this.#env[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.cap;
    this.#size--;
  }
}

export async function pgNotifyBus(db: Db, instanceId: string, loadEvents: LoadEvents): Promise<EventBus> {
  const subs = new Subscribers();
  let pending: Envelope[] = [];
  let scheduled = false;
  let sender: Promise<void> | null = null;
  let inbox: string[] = [];
  let receiver: Promise<void> | null = null;
  const partial = new Map<string, { parts: string[]; got: number; at: number }>();
  /** Other instances, by id: when each was last heard from. */
  const peers = new Map<string, number>();
  /** Envelopes published while alone (not notified), for a newcomer (`UnsentRing`). */
  const unsent = new UnsentRing();
  const alone = () => {
    const now = Date.now();
    for (const [id, at] of peers) if (now - at > PEER_TTL_MS) peers.delete(id);
    return peers.size === 0;
  };
  const announce = (kind: "hello" | "alive" | "bye") =>
    db.notify(CHANNEL, JSON.stringify({ from: instanceId, [kind]: 1 })).catch((err) =>
      console.error("pg notify failed", err)
    );
  /** A notification from another instance: note it; a newcomer gets what was published alone meanwhile. */
  const heard = (from: string, kind: { hello?: unknown; bye?: unknown }) => {
    if (kind.bye) {
      peers.delete(from);
      return;
    }
    const known = peers.has(from) && Date.now() - peers.get(from)! <= PEER_TTL_MS;
    peers.set(from, Date.now());
    if (kind.hello) void announce("alive");
    if (known) return;
    const resend = unsent.takeFrom(Date.now() - UNSENT_KEEP_MS);
    if (resend.length) {
      pending = [...resend, ...pending];
      void flush();
    }
  };

  /** Payloads in publish order; each run of sequenced events becomes `channel:seq,seq` parts. */
  const encode = (envs: Envelope[]): string[] => {
    const payloads: string[] = [];
    let run = new Map<number, number[]>();
    const endRun = () => {
      let parts: string[] = [];
      let size = 0;
      for (const [ch, list] of run) {
        const part = `${ch}:${list.join(",")}`;
        if (size + part.length > MAX_PAYLOAD && parts.length) {
          payloads.push(JSON.stringify({ from: instanceId, s: parts }));
          parts = [];
          size = 0;
        }
        parts.push(part);
        size += part.length + 3;
      }
      if (parts.length) payloads.push(JSON.stringify({ from: instanceId, s: parts }));
      run = new Map();
    };
    for (const env of envs) {
      if (isSequenced(env.event)) {
        const list = run.get(env.event.channelId) ?? [];
        list.push(env.event.seq);
        run.set(env.event.channelId, list);
        continue;
      }
      endRun();
      const p = JSON.stringify({ from: instanceId, e: env });
      if (bytes(p) <= MAX_PAYLOAD) {
        payloads.push(p);
        continue;
      }
      const b64 = toBase64(JSON.stringify(env));
      const id = crypto.randomUUID();
      const n = Math.ceil(b64.length / CHUNK);
      for (let i = 0; i < n; i++) {
        const c: Chunk = { id, i, n, d: b64.slice(i * CHUNK, (i + 1) * CHUNK) };
        payloads.push(JSON.stringify({ from: instanceId, c }));
      }
    }
    endRun();
    return payloads;
  };

  /**
   * Sends what is pending, one NOTIFY after another. What is published while a round is being sent goes
   * out in the next round, coalesced: a busy pool means fewer, larger notifications, not a growing queue.
   */
  const flush = (): Promise<void> => {
    if (!sender) {
      sender = (async () => {
        while (pending.length) {
          const envs = pending;
          pending = [];
          for (const p of encode(envs)) {
            try {
              await db.notify(CHANNEL, p);
            } catch (err) {
              console.error("pg notify failed", err);
            }
          }
        }
      })();
      void sender.finally(() => {
        sender = null;
        if (pending.length) void flush();
      });
    }
    return sender;
  };

  const reassemble = (from: string, c: Chunk): Envelope | null => {
    const now = Date.now();
    for (const [k, v] of partial) if (now - v.at > PARTIAL_TTL_MS) partial.delete(k);
    const key = `${from}:${c.id}`;
    const entry = partial.get(key) ?? { parts: new Array<string>(c.n).fill(""), got: 0, at: now };
    if (c.i < 0 || c.i >= entry.parts.length || entry.parts[c.i]) return null;
    entry.parts[c.i] = c.d;
    entry.got++;
    partial.set(key, entry);
    if (entry.got < entry.parts.length) return null;
    partial.delete(key);
    return JSON.parse(fromBase64(entry.parts.join("")));
  };

  /**
   * Handles received notifications in order. Runs of sequenced ids are loaded with one query per channel
   * (notifications that arrived while the previous batch was loading are handled together).
   */
  const handle = async (batch: string[]) => {
    let loads = new Map<number, Set<number>>();
    const loadRun = async () => {
      const run = loads;
      loads = new Map();
      for (const [ch, seqs] of run) {
        try {
          for (const env of await loadEvents(ch, [...seqs].sort((a, b) => a - b))) subs.deliver(env);
        } catch (err) {
          console.error("pg notify: loading events failed", err);
        }
      }
    };
    for (const raw of batch) {
      let msg: { from?: string; s?: string[]; e?: Envelope; c?: Chunk };
      try {
        msg = JSON.parse(raw);
      } catch {
        continue;
      }
      if (!msg || msg.from === instanceId) continue;
      const m = msg as { from?: string; hello?: unknown; alive?: unknown; bye?: unknown };
      if (typeof m.from === "string") heard(m.from, m);
      if (m.hello || m.alive || m.bye) continue;
      for (const part of msg.s ?? []) {
        const [ch, list] = part.split(":");
        const set = loads.get(Number(ch)) ?? new Set<number>();
        for (const n of (list ?? "").split(",").map(Number)) if (Number.isSafeInteger(n)) set.add(n);
        loads.set(Number(ch), set);
      }
      if (!msg.e && !msg.c) continue;
      await loadRun();
      if (msg.e) subs.deliver(msg.e);
      if (msg.c) {
        try {
          const env = reassemble(String(msg.from), msg.c);
          if (env) subs.deliver(env);
        } catch (err) {
          console.error("pg notify: bad chunk", err);
        }
      }
    }
    await loadRun();
  };

  const receive = (): Promise<void> => {
    if (!receiver) {
      receiver = (async () => {
        while (inbox.length) {
          const batch = inbox;
          inbox = [];
          await handle(batch).catch((err) => console.error("pg notify", err));
        }
      })();
      void receiver.finally(() => {
        receiver = null;
        if (inbox.length) void receive();
      });
    }
    return receiver;
  };
  const unlisten = await db.listen(CHANNEL, (p) => {
    inbox.push(p);
    void receive();
  });
  // Listening first, then saying hello: whoever answers is heard.
  await announce("hello");
  const heartbeat = setInterval(() => void announce("alive"), HEARTBEAT_MS);
  Deno.unrefTimer(heartbeat);

  return {
    publish(envs) {
      const isAlone = alone();
      const now = Date.now();
      for (const env of envs) {
        subs.deliver(env);
        if (isAlone) unsent.push(now, env);
        else pending.push(env);
      }
      if (isAlone) {
        // Only the last few seconds are kept (for a newcomer whose announcement is on its way).
        unsent.dropBefore(now - UNSENT_KEEP_MS);
        return;
      }
      if (!scheduled) {
        scheduled = true;
        setTimeout(() => {
          scheduled = false;
          void flush();
        }, 1);
      }
    },
    subscribe: (fn) => subs.add(fn),
    async close() {
      clearInterval(heartbeat);
      while (sender || pending.length) await flush();
      await announce("bye");
      await unlisten();
      while (receiver) await receiver;
    },
  };
}
