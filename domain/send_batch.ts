/**
 * Group commit for `messages.send`: plain sends that arrive while a batch is being stored wait for the
 * next batch, and each batch is one statement, so one round trip and one commit: it checks, numbers and
 * stores the messages, appends their events to the channel logs and moves the senders' read positions.
 * That replaces eight round trips and a commit per message.
 *
 * The guarantees stay those of the one-at-a-time path: nothing is acknowledged before the commit; events
 * are published after it, in sequence order; sequence numbers stay gap-free (a key stored meanwhile by
 * someone else fails the whole statement, which then rolls back); and anything unusual — a retried key, a
 * sender who may not post, any error — is answered by the one-at-a-time path, which explains it (and
 * gives back the rate-limit token of a send that turns out to be a retry).
 */
import { setImmediate } from "node:timers";
import * as batchRepo from "../db/repos/message_batch.ts";
import { MAINTENANCE_SETTING } from "./admin/control.ts";
import type { Envelope, Message } from "../realtime/protocol.ts";
import type { Actor, CoreDeps } from "./deps.ts";
import { GroupCommit } from "./group_commit.ts";
import { hasBroadMention } from "./notifications/decide.ts";
import type { StageTimes } from "./stage_times.ts";

export interface PlainSend {
  channelId: number;
  clientId: string;
  body: string;
  type: "text" | "ticket_link";
}

/**
 * What the batch did with a send: stored it, or left it to the one-at-a-time path (`charged`: its
 * rate-limit token is already taken).
 */
export type BatchOutcome =
  | { stored: true; message: Message }
  | { stored: false; charged: boolean };

/** Inside the batcher: a stored send whose message is queued for publishing has `published` to wait for. */
type Outcome = BatchOutcome | { stored: true; message: Message; published: Promise<void> };

interface Item {
  actor: Actor;
  p: PlainSend;
  /** When it was submitted (`performance.now()`), only while `stages` is on. */
  at: number;
}

/**
 * A few batches in flight per instance (`SEND_BATCHES_IN_FLIGHT`, default 4), so a send rarely waits for
 * another batch's commit; fewer in flight make larger groups, so fewer statements and commits per message.
 * At most two batches in flight hold one channel (`SEND_BATCHES_PER_CHANNEL`, default 2): the second one's
 * statement waits in Postgres on the channel's row lock and commits as soon as the first one has, instead
 * of being sent only after the first one's answer was read (a round trip later, and later still while the
 * event loop is busy writing a fan-out); a third waits here for the next batch, so a busy channel never
 * has more than one batch waiting on its lock with a connection. Rows are locked in channel id order (no
 * deadlock), so a channel's batches commit in sequence order; if two answers are read the other way round,
 * the hub holds the later events until the earlier ones are published (`Hub.deliver`). At 1 (the fifth
 * pass), batches in flight never share a channel. A running batch has
 * `SEND_BATCH_HOLD_MS` (default 5) to itself before another starts beside it: a commit usually ends sooner,
 * and what arrived meanwhile goes out together after it, so a busy server pays one statement and one commit
 * for several sends instead of one each across the free slots (bench/notes/cpu_per_message.md, "Where a
 * durable message's CPU goes", fifth pass). And batches start at least `SEND_BATCH_PACE_MS` (default 2)
 * apart: a send arriving sooner after the latest start, even once that batch has committed, waits for the
 * rest with what follows, where it went out alone before (groups of 1-2 at moderate rates, each paying the
 * statement's fixed cost); a send after a quiet spell goes out at once (bench/notes/cpu_per_message.md, "CPU
 * per durable message and the pace of send batches", sixth pass). Over one send per pace (500 a second) the
 * pace climbs with the arrival rate and reaches `SEND_BATCH_PACE_MAX_MS` (default 8) at two sends per pace
 * (1,000 a second), so a busy server shares each statement among ~9 sends instead of ~3 while a lightly
 * loaded one waits as before (bench/notes/cpu_per_message.md, "CPU per durable message and a pace that grows
 * with the rate", eleventh pass).
 */
const MAX_BATCH = 256;
/**
 * Milliseconds of publishing (the hub's socket writes) per turn of the event loop before the rest of a
 * batch waits for the next turn: a message to a channel of 1,000 (~10 ms) goes alone, messages to small
 * channels go several per turn. One per turn whatever the size capped a busy server at one message per turn
 * of its event loop (the publish queue grew at 1,000 msg/s in channels of 20: sixth pass's quiet run).
 */
const PUBLISH_SLICE_MS = 2;

/** The outcomes of a send the batch did not store (shared: nothing changes an outcome once made). */
const UNCHARGED: Outcome = Object.freeze({ stored: false, charged: false });
const CHARGED: Outcome = Object.freeze({ stored: false, charged: true });

/** One per server, built in `main.ts` and reached as `deps.sendBatcher`. */
export class SendBatcher {
  #group: GroupCommit<Item, Outcome>;
  /**
   * Committed messages not yet published, oldest first, from `#next` on; published a time slice per turn (`done`
   * answers the send once its message is published).
   */
  #unpublished: { env: Envelope; done: (() => void) | null }[] = [];
  #next = 0;
  /** Opt-in stage timing (`stage_times.ts`); null, and free, unless a debugging tool sets it. */
  stages: StageTimes | null = null;
  /** `stored`: told how many messages each committed batch stored (the search indexer, `main.ts`). */
  constructor(private deps: CoreDeps, private stored: (n: number) => void = () => {}) {
    this.#group = new GroupCommit((items) => this.#store(items), {
      maxBatch: MAX_BATCH,
      inFlight: () => deps.config.limits.sendBatchesInFlight,
      holdMs: () => deps.config.limits.sendBatchHoldMs,
      paceMs: () => deps.config.limits.sendBatchPaceMs,
      paceMaxMs: () => deps.config.limits.sendBatchPaceMaxMs,
      paceFloorMs: () => deps.config.limits.sendBatchPaceFloorMs,
      key: (it) => it.p.channelId,
      perKey: () => deps.config.limits.sendBatchesPerChannel,
    });
  }

  /** Stores a plain send with others arriving at the same time, or says it must go the one-at-a-time way. */
  async submit(actor: Actor, p: PlainSend): Promise<BatchOutcome> {
    const o = await this.#group.submit({ actor, p, at: this.stages ? performance.now() : 0 });
    // Answered after its own message is published (an ack never precedes the event), while its batch has
    // already given up its slot at the commit.
    if ("published" in o) await o.published;
    return o;
  }

  /**
   * Publishes committed messages in commit order, `PUBLISH_SLICE_MS` of them per turn of the event loop: the
   * first at once (when nothing is waiting), the rest of a slice after it, and what is left after the runtime
   * has written the slice's frames and read what came in (`setImmediate`; a nested `setTimeout(0)` is clamped
   * to 1-4 ms). A message to a channel of 1,000 is ~10 ms of socket writes, so a batch of several published
   * back to back held every other answer, frame and commit behind it; and the batch gives up its slot at the
   * commit, not after its messages' fan-out (each send is answered once its own message is published, so an
   * ack never precedes its event), so a channel's next batch is not held up by it (bench/notes/fan_out.md,
   * "Fan-out tail and the load generator"). A channel's events still reach the hub in sequence order (one
   * queue, in commit order; the hub restores the order of events published meanwhile by other paths).
   */
  #publish(envs: Envelope[]): (Promise<void> | null)[] {
    const idle = this.#next === this.#unpublished.length;
    const waits = envs.map((env, i) => {
      if (idle && i === 0) return this.#unpublished.push({ env, done: null }), null;
      let done!: () => void;
      const p = new Promise<void>((r) => (done = r));
      this.#unpublished.push({ env, done });
      return p;
    });
    if (idle) this.#publishNext();
    return waits;
  }

  #publishNext = () => {
    const until = performance.now() + PUBLISH_SLICE_MS;
    do {
      const { env, done } = this.#unpublished[this.#next++];
      try {
        this.deps.bus.publish([env]);
      } catch (err) {
        // Committed either way: the send is answered, and clients that missed the event catch up by sequence.
        console.error("send batch: publishing a committed message failed", err);
      }
      done?.();
    } while (this.#next < this.#unpublished.length && performance.now() < until);
    if (this.#next < this.#unpublished.length) setImmediate(this.#publishNext);
    else {
      this.#unpublished = [];
      this.#next = 0;
    }
  };

  async #store(all: Item[]): Promise<Outcome[]> {
    const deps = this.deps;
    const stages = this.stages;
    const started = stages ? performance.now() : 0;
    if (stages) { for (const it of all) stages.add("queued", started - it.at); }
    const out: Outcome[] = all.map(() => UNCHARGED);
    // The same key twice in one batch: the later ones go the one-at-a-time way (they will be retries).
    // Out of rate-limit tokens: the one-at-a-time path answers a retry from the database, or refuses.
    const seen = all.length > 1 ? new Set<string>() : null;
    const picked: number[] = [];
    all.forEach((it, i) => {
      if (seen) {
        const k = `${it.actor.userId}:${it.p.clientId}`;
        if (seen.has(k)) return;
        seen.add(k);
      }
      try {
        deps.limiter.take(
          `send:${it.actor.userId}`,
          deps.config.limits.sendsPerMinute,
          "You are sending messages too fast",
        );
        picked.push(i);
      } catch { /* left to the one-at-a-time path, uncharged */ }
    });
    if (!picked.length) return out;
    const items = picked.map((i) => all[i]);
    // Left out by the statement (not a member, archived, read-only …) or a failed statement: the
    // one-at-a-time path says why; its token is already taken.
    for (const i of picked) out[i] = CHARGED;
    let rows: { index: number; message: Message }[];
    try {
      // One statement, so its own transaction: the messages, their events in the log, read positions.
      rows = await batchRepo.insertBatch(
        deps.db,
        items.map((it) => ({
          workspaceId: it.actor.workspaceId,
          channelId: it.p.channelId,
          senderId: it.actor.userId,
          clientId: it.p.clientId,
          type: it.p.type,
          body: it.p.body,
          moderator: it.actor.permissions.has("chat.moderate_channels"),
          maintenanceExempt: it.actor.role === "admin",
          // Grouped bodies hold no "@" (`messages.groupable`), so none has one; asked all the same.
          broadMention: hasBroadMention(it.p.body),
        })),
        MAINTENANCE_SETTING,
      );
    } catch {
      // A key stored meanwhile, a deadlock with another instance, a lost connection: nothing was committed.
      return out;
    }
    const committed = stages ? performance.now() : 0;
    if (stages) {
      stages.add("commit", committed - started);
      for (const it of items) stages.add("stored", committed - it.at);
    }
    // After the commit: publish in sequence order, then answer.
    const envs: Envelope[] = rows.map(({ index, message }) => ({
      event: { type: "message_received", channelId: message.channelId, seq: message.seq, message },
      audience: { kind: "channel", channelId: message.channelId },
      workspaceId: items[index].actor.workspaceId,
    }));
    const waits = envs.length ? this.#publish(envs) : [];
    if (stages) stages.add("publish", performance.now() - committed);
    if (rows.length) this.stored(rows.length);
    rows.forEach(({ index, message }, i) => {
      const published = waits[i];
      out[picked[index]] = published ? { stored: true, message, published } : { stored: true, message };
    });
    return out;
  }
}
