/**
 * Postgres LISTEN/NOTIFY bus for several processes on one database.
 *
 * NOTIFY is never sent inside the message-writing transaction (it takes a global lock at commit). After
 * commit, local subscribers get the full envelope at once; other instances get a small, coalesced
 * notification: for sequenced events only `channelId:seq,seq` (they load the events from the
 * database through `loadEvents`), for ephemeral events the envelope itself, split into chunks when it is
 * larger than a NOTIFY payload may be (8000 bytes).
 *
 * Order: notifications are sent one after another in publish order, and received ones are handled one
 * after another (a load finishing early never overtakes an earlier one), so another instance sees each
 * instance's events in the order they were published. Under load both sides coalesce: what accumulates
 * while a NOTIFY or a load waits for the pool goes out, or is loaded, in one round.
 */
import type { Envelope } from "../../protocol.ts";
import { isSequenced } from "../../protocol.ts";
import type { Db } from "../../../db/client.ts";
import { type EventBus, Subscribers } from "./bus.ts";

const CHANNEL = "parley_events";
/** Bytes, below Postgres' 8000-byte payload limit. */
const MAX_PAYLOAD = 7000;
/** Base64 characters per chunk of an oversize envelope (a multiple of 4). */
const CHUNK = 6000;
const PARTIAL_TTL_MS = 60_000;

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

export async function pgNotifyBus(db: Db, instanceId: string, loadEvents: LoadEvents): Promise<EventBus> {
  const subs = new Subscribers();
  let pending: Envelope[] = [];
  let scheduled = false;
  let sender: Promise<void> | null = null;
  let inbox: string[] = [];
  let receiver: Promise<void> | null = null;
  const partial = new Map<string, { parts: string[]; got: number; at: number }>();

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

  return {
    publish(envs) {
      for (const env of envs) {
        subs.deliver(env);
        pending.push(env);
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
      while (sender || pending.length) await flush();
      await unlisten();
      while (receiver) await receiver;
    },
  };
}
