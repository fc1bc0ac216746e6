/**
 * Open-loop message traffic: sends at a fixed rate whatever the server does (bounded by a cap on
 * unacknowledged sends), round-robin over channels and, within a channel, over its members. Every body
 * carries its send time and a tag (the step), so receivers attribute each delivery to its step.
 */
import { Client, type Handlers, makeBody, readBody } from "./client.ts";
import { Histogram, type LatencySummary, nowMs, round } from "../lib/stats.ts";

const PAD = "the quick brown fox jumps over the lazy dog while the team ships";

export interface StepResult {
  tag: number;
  target_msgs_per_s: number;
  target_deliveries_per_s: number;
  seconds: number;
  sent: number;
  acked: number;
  errors: number;
  skipped_backlog: number;
  expected_deliveries: number;
  delivered: number;
  deliveries_per_s: number;
  msgs_per_s: number;
  deliver: LatencySummary;
  ack: LatencySummary;
  /** Cores busy during the step: server, load generator, whole machine (2 cores = 2.0). */
  cpu?: Record<string, number>;
  /** `BENCH_ARRIVALS=1`: ms between a message's first and last delivery at the load generator. */
  arrival_spread_ms?: { messages: number; p10: number | null; p50: number | null; p90: number | null };
}

interface TagStats {
  deliver: Histogram;
  ack: Histogram;
  delivered: number;
  expected: number;
  sent: number;
  acked: number;
  errors: number;
  skipped: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Traffic implements Handlers {
  readonly byChannel = new Map<number, Client[]>();
  readonly channelIds: number[];
  readonly tags = new Map<number, TagStats>();
  /** Live receivers per channel: the deliveries one message should produce. */
  readonly receivers = new Map<number, number>();
  readonly pending = new Map<number, { sentAt: number; tag: number }>();
  /** Highest sequence acknowledged per channel (from acks; parsed only when `trackSeqs`). */
  readonly ackedSeq = new Map<number, number>();
  #reqId = 1;
  #k = 0;
  trackSeqs = false;
  /**
   * `BENCH_TIMELINE` only (`bench/timeline.ts`): every delivery as send time (wall ms), latency (ms) and tag,
   * three numbers each; null, and free, otherwise.
   */
  timeline: number[] | null = null;
  onDeliver: ((c: Client, raw: string) => void) | null = null;
  /**
   * `BENCH_ARRIVALS=1`: per tag, each message's first and last delivery here (by its send time), so a step's
   * result says over how many ms one message's deliveries reached the load generator (null, and free, otherwise;
   * bench/notes/channels_of_1000_top_steps.md).
   */
  readonly arrivals: Map<number, Map<number, [number, number]>> | null =
    Deno.env.get("BENCH_ARRIVALS") === "1" ? new Map() : null;

  /** `receivers` are every live member; `senders` (default: the same clients) post the messages. */
  constructor(receivers: Client[], senders: Client[] = receivers) {
    for (const c of senders) {
      for (const ch of c.user.channels) {
        let list = this.byChannel.get(ch);
        if (!list) this.byChannel.set(ch, list = []);
        list.push(c);
      }
    }
    this.channelIds = [...this.byChannel.keys()].sort((a, b) => a - b);
    for (const c of receivers) {
      for (const ch of c.user.channels) this.receivers.set(ch, (this.receivers.get(ch) ?? 0) + 1);
    }
  }

  #stats(tag: number): TagStats {
    let s = this.tags.get(tag);
    if (!s) {
      s = {
        deliver: new Histogram(),
        ack: new Histogram(),
        delivered: 0,
        expected: 0,
        sent: 0,
        acked: 0,
        errors: 0,
        skipped: 0,
      };
      this.tags.set(tag, s);
    }
    return s;
  }

  deliver(c: Client, raw: string) {
    const now = nowMs();
    const b = readBody(raw);
    if (b) {
      const s = this.#stats(b.tag);
      s.delivered++;
      s.deliver.add(now - b.sentAt);
      this.timeline?.push(b.sentAt, now - b.sentAt, b.tag);
      if (this.arrivals) {
        let m = this.arrivals.get(b.tag);
        if (!m) this.arrivals.set(b.tag, m = new Map());
        const a = m.get(b.sentAt);
        if (a) a[1] = now;
        else m.set(b.sentAt, [now, now]);
      }
    }
    this.onDeliver?.(c, raw);
  }

  ack(_c: Client, reqId: number, error: string | null, raw?: string) {
    const p = this.pending.get(reqId);
    if (!p) return;
    this.pending.delete(reqId);
    const s = this.#stats(p.tag);
    if (error) s.errors++;
    else {
      s.acked++;
      s.ack.add(nowMs() - p.sentAt);
    }
    if (this.trackSeqs && raw) {
      const m = /"channelId":(\d+),"seq":(\d+)/.exec(raw);
      if (m) this.ackedSeq.set(+m[1], Math.max(this.ackedSeq.get(+m[1]) ?? 0, +m[2]));
    }
  }

  /** One message from the next sender in rotation; false when that sender is not live. */
  sendOne(tag: number): boolean {
    const k = this.#k++;
    const ch = this.channelIds[k % this.channelIds.length];
    const members = this.byChannel.get(ch)!;
    const c = members[Math.floor(k / this.channelIds.length) % members.length];
    const s = this.#stats(tag);
    if (!c.live) {
      s.skipped++;
      return false;
    }
    const id = this.#reqId++;
    const at = nowMs();
    this.pending.set(id, { sentAt: at, tag });
    s.sent++;
    s.expected += this.receivers.get(ch) ?? 0;
    c.send(id, ch, `b${c.user.id}-${id}-${Math.floor(at)}`, makeBody(at, tag, PAD));
    return true;
  }

  /** Sends `msgsPerSecond` for `seconds`; skips (and counts) sends while `maxOutstanding` are unacked. */
  async run(
    tag: number,
    msgsPerSecond: number,
    seconds: number,
    maxOutstanding: number,
    stop?: () => boolean,
  ) {
    const s = this.#stats(tag);
    const start = performance.now();
    const end = start + seconds * 1000;
    let done = 0;
    while (true) {
      const now = performance.now();
      if (now >= end || stop?.()) break;
      const due = Math.floor(((now - start) / 1000) * msgsPerSecond);
      while (done < due) {
        done++;
        if (this.pending.size >= maxOutstanding) s.skipped++;
        else this.sendOne(tag);
      }
      await sleep(1);
    }
  }

  /** Waits until the tag's deliveries and acks are all in, or the timeout passes. */
  async drain(tag: number, timeoutMs: number) {
    const s = this.#stats(tag);
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      if (s.delivered >= s.expected && s.acked + s.errors >= s.sent) return;
      await sleep(10);
    }
  }

  result(tag: number, targetMsgs: number, seconds: number): StepResult {
    const s = this.#stats(tag);
    const avgMembers = s.sent ? s.expected / s.sent : 0;
    return {
      tag,
      target_msgs_per_s: round(targetMsgs, 1),
      target_deliveries_per_s: Math.round(targetMsgs * avgMembers),
      seconds,
      sent: s.sent,
      acked: s.acked,
      errors: s.errors,
      skipped_backlog: s.skipped,
      expected_deliveries: s.expected,
      delivered: s.delivered,
      deliveries_per_s: Math.round(s.delivered / seconds),
      msgs_per_s: Math.round(s.acked / seconds),
      deliver: s.deliver.summary(),
      ack: s.ack.summary(),
      ...this.arrivals ? { arrival_spread_ms: this.#spread(tag) } : {},
    };
  }

  /** p10/p50/p90 of the ms between a message's first and last delivery, over the tag's messages. */
  #spread(tag: number) {
    const v = [...(this.arrivals?.get(tag)?.values() ?? [])].map(([a, b]) => b - a).sort((x, y) => x - y);
    const q = (p: number) => v.length ? round(v[Math.min(v.length - 1, Math.floor(v.length * p))], 2) : null;
    return { messages: v.length, p10: q(0.1), p50: q(0.5), p90: q(0.9) };
  }
}
