/**
 * Workload 5, the reconnect storm: every client drops at once while senders keep posting, then all resume
 * with their last sequence per channel. Measures the time until all are live again and checks, per
 * client and channel, that the sequence seen is gap-free and complete up to the last acknowledged send.
 */
import type { StormSpec } from "../lib/spec.ts";
import type { Client, Handlers } from "./client.ts";
import { Traffic } from "./traffic.ts";
import { connect, emit, heartbeat, makeClients } from "./common.ts";
import { exactPercentile, round } from "../lib/stats.ts";
import { cpuMeter, cpuSecondsMeter, type CpuTarget } from "../lib/cpu.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function storm(spec: StormSpec) {
  let traffic: Traffic | null = null;
  const seen = new Map<Client, Map<number, number>>();
  let gaps = 0;
  let stormAt = 0;
  const gapExamples: unknown[] = [];
  let duplicates = 0;
  let unexpectedCloses = 0;
  let resyncs = 0;
  let eventsOnResume = 0;
  const h: Handlers = {
    deliver(c, raw) {
      traffic!.deliver(c, raw);
      const last = seen.get(c);
      if (!last) return;
      // Written before the hello's ack: the replay and the live events held while it was read.
      if (stormAt && !c.live) eventsOnResume++;
      const f = JSON.parse(raw) as { channelId: number; seq: number };
      const prev = last.get(f.channelId) ?? 0;
      if (f.seq <= prev) duplicates++;
      else {
        if (f.seq > prev + 1) {
          gaps += f.seq - prev - 1;
          if (gapExamples.length < 10) {
            gapExamples.push({
              user: c.user.id,
              channel: f.channelId,
              prev,
              seq: f.seq,
              ms_after_storm: stormAt ? Math.round(performance.now() - stormAt) : null,
              ms_after_live: c.liveAt ? Math.round(performance.now() - c.liveAt) : null,
            });
          }
        }
        last.set(f.channelId, f.seq);
      }
    },
    ack: (c, id, err, raw) => traffic!.ack(c, id, err, raw),
    closed: () => void unexpectedCloses++,
    resync: () => void resyncs++,
  };
  const clients = makeClients(spec, spec.users, h);
  const senders = makeClients(spec, spec.senders, h);
  for (const c of clients) seen.set(c, new Map(c.user.channels.map((ch) => [ch, 0])));
  traffic = new Traffic([...clients, ...senders], senders);
  traffic.trackSeqs = true;
  const resumeOf = (c: Client) => Object.fromEntries(seen.get(c) ?? []);
  for (const c of clients) {
    const original = c.open.bind(c);
    c.open = (resume = resumeOf(c)) => original(resume);
  }
  const stopBeat = heartbeat([...senders, ...clients], 20);
  const conn = await connect(spec, [...senders, ...clients]);

  let stop = false;
  // Server, Postgres (the cluster, when the server stores there) and this process.
  const targets: Record<string, CpuTarget> = {
    ...spec.serverPid ? { server: spec.serverPid } : {},
    ...spec.pgPid ? { postgres: { tree: spec.pgPid } } : {},
    loadgen: "self",
  };
  // Cores with every client connected and the senders posting: what the senders' traffic costs each part
  // outside the storm (the storm's window below holds the same sends).
  const beforeMeter = cpuMeter(targets);
  const sending = traffic.run(1, spec.msgsPerSecond, 3600, spec.msgsPerSecond * 10, () => stop);
  await sleep(spec.beforeSeconds * 1000);
  const beforeCpu = beforeMeter();

  // The storm: everyone drops at once, then everyone resumes at once (retrying failures with backoff).
  const meter = cpuMeter(targets);
  const used = cpuSecondsMeter(targets);
  const t0 = performance.now();
  stormAt = t0;
  for (const c of clients) c.close();
  const times: number[] = [];
  let failedAttempts = 0;
  let gaveUp = 0;
  await Promise.all(clients.map(async (c) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await c.open();
        times.push(performance.now() - t0);
        return;
      } catch {
        failedAttempts++;
        await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2));
      }
    }
    gaveUp++;
  }));
  const settled = (performance.now() - t0) / 1000;
  const stormCpu = meter();
  const stormCpuSeconds = used();
  emit({ event: "progress", what: "storm settled", seconds: settled, failedAttempts, gaveUp });

  await sleep(spec.afterSeconds * 1000);
  stop = true;
  await sending;
  await traffic.drain(1, 5000);
  // Wait until every client has caught up with the last acknowledged sequence of each channel.
  const behind = () => {
    let n = 0;
    for (const [c, last] of seen) {
      if (!c.live) continue;
      for (const [ch, s] of last) n += Math.max(0, (traffic!.ackedSeq.get(ch) ?? 0) - s);
    }
    return n;
  };
  const until = performance.now() + 10_000;
  while (behind() > 0 && performance.now() < until) await sleep(20);
  const missedTail = behind();
  stopBeat();
  for (const c of [...clients, ...senders]) c.close();
  const r = traffic.result(1, spec.msgsPerSecond, 0);
  return {
    connect: conn,
    clients: clients.length,
    senders: senders.length,
    seconds: round(settled, 3),
    cpu: stormCpu,
    // CPU seconds over the same window (close of all clients until the last is live again).
    cpu_seconds: Object.fromEntries(Object.entries(stormCpuSeconds).map(([k, v]) => [k, round(v, 3)])),
    cpu_before_storm: beforeCpu,
    events_on_resume: eventsOnResume,
    p50_s: round(exactPercentile(times, 50) / 1000, 3),
    p99_s: round(exactPercentile(times, 99) / 1000, 3),
    failed_attempts: failedAttempts,
    gave_up: gaveUp,
    missed_events: gaps + missedTail,
    gaps_live: gaps,
    missed_tail: missedTail,
    duplicates,
    resyncs,
    gap_examples: gapExamples,
    unexpected_closes: unexpectedCloses,
    messages_sent: r.sent,
    messages_acked: r.acked,
    send_errors: r.errors,
    deliver: r.deliver,
  };
}
