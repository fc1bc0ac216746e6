/** Helpers shared by the load generator's scenarios. */
import type { Spec } from "../lib/spec.ts";
import { Client, type Handlers, openAll } from "./client.ts";
import { exactPercentile, round } from "../lib/stats.ts";
import { cpuMeter } from "../lib/cpu.ts";

/** One JSON line on stdout for the orchestrator. */
export const emit = (o: Record<string, unknown>) => console.log(JSON.stringify(o));

export function makeClients(spec: Spec, users = spec.users, h: Handlers): Client[] {
  return users.map((u) => new Client(spec.kind, spec.url, u, h, spec.transport));
}

/** Opens clients with bounded concurrency; returns the time it took and how many failed. */
export async function connect(spec: Spec, clients: Client[]) {
  const t0 = performance.now();
  const m = cpuMeter({
    ...spec.serverPid ? { server: spec.serverPid } : {},
    // The Postgres cluster (every backend, dead or alive) when the server stores there: a connect's reads
    // and connection rows run on the same cores as the server and the load generator.
    ...spec.pgPid ? { postgres: { tree: spec.pgPid } } : {},
    loadgen: "self",
  });
  const r = await openAll(clients, spec.openConcurrency);
  const cpu = m();
  const seconds = (performance.now() - t0) / 1000;
  const live = clients.filter((c) => c.liveAt);
  const phase = (f: (c: Client) => number) => {
    const v = live.map(f);
    return { p50_ms: round(exactPercentile(v, 50)), p99_ms: round(exactPercentile(v, 99)) };
  };
  const phases = {
    handshake: phase((c) => c.connectedAt - c.openedAt),
    hello: phase((c) => c.liveAt - c.connectedAt),
  };
  emit({
    event: "progress",
    what: "connected",
    clients: clients.length,
    failed: r.failed,
    seconds,
    cpu,
    phases,
  });
  if (r.failed) emit({ event: "progress", what: "connect errors", errors: r.errors });
  return { seconds: round(seconds, 2), failed: r.failed, cpu, phases };
}

/** Keeps Parley's heartbeat going (it closes sockets silent for 2.5 heartbeats). */
export function heartbeat(clients: Client[], seconds: number) {
  const id = setInterval(() => {
    for (const c of clients) c.ping();
  }, seconds * 1000);
  return () => clearInterval(id);
}
