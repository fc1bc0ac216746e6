/**
 * Group commit for `messages.send`: plain sends that arrive while a batch is being stored wait for the
 * next batch, and each batch is one transaction (a check for retried keys, one statement that checks,
 * numbers and stores the messages, one that appends their events to the channel logs). Under load this
 * turns eight round trips and a commit per message into five round trips and one commit per batch.
 *
 * The guarantees stay those of the one-at-a-time path: nothing is acknowledged before the commit; events
 * are published after it, in sequence order; sequence numbers stay gap-free (a key that turns out to be
 * stored fails the whole transaction, which then rolls back); and anything unusual — a retried key, a
 * sender who may not post, any error — is answered by the one-at-a-time path, which explains it.
 */
import * as batchRepo from "../db/repos/message_batch.ts";
import type { Envelope, Message, SequencedEvent } from "../realtime/protocol.ts";
import type { Actor, Deps } from "./deps.ts";

export interface PlainSend {
  channelId: number;
  clientId: string;
  body: string;
  type: "text" | "ticket_link";
}

/** What the batch did with a send: stored it, or left it to the one-at-a-time path (`charged`: its rate-limit token is spent). */
export type BatchOutcome =
  | { stored: true; message: Message }
  | { stored: false; charged: boolean };

interface Item {
  actor: Actor;
  p: PlainSend;
  resolve(o: BatchOutcome): void;
  reject(e: unknown): void;
}

/** Transactions in flight at once; their channel locks are taken in id order, so they never deadlock. */
const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 256;

class SendBatcher {
  #queue: Item[] = [];
  #inFlight = 0;
  constructor(private deps: Deps) {}

  submit(actor: Actor, p: PlainSend): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ actor, p, resolve, reject });
      this.#pump();
    });
  }

  #pump() {
    while (this.#inFlight < MAX_IN_FLIGHT && this.#queue.length) {
      const items = this.#queue.splice(0, MAX_BATCH);
      this.#inFlight++;
      void this.#store(items).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #store(all: Item[]) {
    const deps = this.deps;
    // The same key twice in one batch: the later ones go the one-at-a-time way (they will be retries).
    const seen = new Set<string>();
    const firsts: Item[] = [];
    for (const it of all) {
      const k = `${it.actor.userId}:${it.p.clientId}`;
      if (seen.has(k)) it.resolve({ stored: false, charged: false });
      else {
        seen.add(k);
        firsts.push(it);
      }
    }
    const items: Item[] = [];
    try {
      // A retried send is answered from the database and not charged against the rate limit.
      const stored = await batchRepo.existingKeys(
        deps.db,
        firsts.map((it) => ({ senderId: it.actor.userId, clientId: it.p.clientId })),
      );
      for (const it of firsts) {
        if (stored.has(`${it.actor.userId}:${it.p.clientId}`)) {
          it.resolve({ stored: false, charged: false });
          continue;
        }
        try {
          deps.limiter.take(
            `send:${it.actor.userId}`,
            deps.config.limits.sendsPerMinute,
            "You are sending messages too fast",
          );
        } catch (e) {
          it.reject(e);
          continue;
        }
        items.push(it);
      }
    } catch {
      for (const it of firsts) it.resolve({ stored: false, charged: false });
      return;
    }
    if (!items.length) return;
    let stored: { rows: { index: number; message: Message }[]; events: SequencedEvent[] };
    try {
      stored = await deps.db.tx(async (sql) => {
        const rows = await batchRepo.insertBatch(
          sql,
          items.map((it) => ({
            workspaceId: it.actor.workspaceId,
            channelId: it.p.channelId,
            senderId: it.actor.userId,
            clientId: it.p.clientId,
            type: it.p.type,
            body: it.p.body,
            moderator: it.actor.permissions.has("chat.moderate_channels"),
          })),
        );
        const events: SequencedEvent[] = rows.map(({ message }) => ({
          type: "message_received" as const,
          channelId: message.channelId,
          seq: message.seq,
          message,
        }));
        await batchRepo.appendEvents(sql, rows.map((r) => items[r.index].actor.workspaceId), events);
        return { rows, events };
      });
    } catch {
      // A key stored meanwhile, a deadlock with another instance, a lost connection: nothing was committed.
      for (const it of items) it.resolve({ stored: false, charged: true });
      return;
    }
    // After the commit: publish in sequence order, then answer.
    const envs: Envelope[] = stored.events.map((event, i) => ({
      event,
      audience: { kind: "channel", channelId: event.channelId },
      workspaceId: items[stored.rows[i].index].actor.workspaceId,
    }));
    if (envs.length) deps.bus.publish(envs);
    const done = new Set<number>();
    for (const { index, message } of stored.rows) {
      done.add(index);
      items[index].resolve({ stored: true, message });
    }
    // Left out by the statement (not a member, archived, read-only …): the one-at-a-time path says why.
    items.forEach((it, i) => !done.has(i) && it.resolve({ stored: false, charged: true }));
  }
}

const batchers = new WeakMap<Deps, SendBatcher>();

/** Stores a plain send with others arriving at the same time, or says it must go the one-at-a-time way. */
export function sendBatched(deps: Deps, actor: Actor, p: PlainSend): Promise<BatchOutcome> {
  let b = batchers.get(deps);
  if (!b) batchers.set(deps, b = new SendBatcher(deps));
  return b.submit(actor, p);
}
