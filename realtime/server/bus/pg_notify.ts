/**
 * Postgres LISTEN/NOTIFY bus for several processes on one database.
 *
 * NOTIFY is never sent inside the message-writing transaction (it takes a global lock at commit). After
 * commit, local subscribers get the full envelope at once; other instances get a small, coalesced
 * notification: for sequenced events only `channelId:seq,seq` (they load the events from the
 * database through `loadEvents`), for small ephemeral events the envelope itself.
 */
import type { Envelope } from "../../protocol.ts";
import { isSequenced } from "../../protocol.ts";
import type { Db } from "../../../db/client.ts";
import { type EventBus, Subscribers } from "./bus.ts";

const CHANNEL = "parley_events";
const MAX_PAYLOAD = 7000;

export type LoadEvents = (channelId: number, seqs: number[]) => Promise<Envelope[]>;

export async function pgNotifyBus(db: Db, instanceId: string, loadEvents: LoadEvents): Promise<EventBus> {
  const subs = new Subscribers();
  let pendingSeqs = new Map<number, number[]>();
  let pendingEphemeral: Envelope[] = [];
  let scheduled = false;

  const flush = async () => {
    scheduled = false;
    const seqs = pendingSeqs;
    const eph = pendingEphemeral;
    pendingSeqs = new Map();
    pendingEphemeral = [];
    const payloads: string[] = [];
    let parts: string[] = [];
    let size = 0;
    const push = (part: string) => {
      if (size + part.length > MAX_PAYLOAD && parts.length) {
        payloads.push(JSON.stringify({ from: instanceId, s: parts }));
        parts = [];
        size = 0;
      }
      parts.push(part);
      size += part.length + 3;
    };
    for (const [ch, list] of seqs) push(`${ch}:${list.join(",")}`);
    if (parts.length) payloads.push(JSON.stringify({ from: instanceId, s: parts }));
    for (const env of eph) {
      const p = JSON.stringify({ from: instanceId, e: env });
      if (p.length <= MAX_PAYLOAD) payloads.push(p);
    }
    for (const p of payloads) {
      try {
        await db.notify(CHANNEL, p);
      } catch (err) {
        console.error("pg notify failed", err);
      }
    }
  };

  const onPayload = async (raw: string) => {
    let msg: { from?: string; s?: string[]; e?: Envelope };
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (msg.from === instanceId) return;
    if (msg.e) subs.deliver(msg.e);
    for (const part of msg.s ?? []) {
      const [ch, list] = part.split(":");
      const seqs = (list ?? "").split(",").map(Number).filter(Number.isFinite);
      try {
        for (const env of await loadEvents(Number(ch), seqs)) subs.deliver(env);
      } catch (err) {
        console.error("pg notify: loading events failed", err);
      }
    }
  };
  const unlisten = await db.listen(CHANNEL, (p) => void onPayload(p));

  return {
    publish(envs) {
      for (const env of envs) {
        subs.deliver(env);
        if (isSequenced(env.event)) {
          const list = pendingSeqs.get(env.event.channelId) ?? [];
          list.push(env.event.seq);
          pendingSeqs.set(env.event.channelId, list);
        } else pendingEphemeral.push(env);
      }
      if (!scheduled) {
        scheduled = true;
        setTimeout(() => void flush(), 1);
      }
    },
    subscribe: (fn) => subs.add(fn),
    async close() {
      await flush();
      await unlisten();
    },
  };
}
