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

/**
 * Keeps Parley's heartbeat going (it closes sockets silent for 2.5 heartbeats): every client pings once per
 * `seconds`, spread over the interval (a tenth of a second's share of the clients each 100 ms), as clients
 * that connected at different moments do. All at once, 2,000 pings held the load generator's event loop for
 * 19 ms every 20 s and reached the server as one burst (bench/notes/steady_tail.md, "The steady tail's WAL
 * and the load generator (issue 16, eleventh pass)").
 */
export function heartbeat(clients: Client[], seconds: number) {
  const slots = Math.max(1, Math.round(seconds * 10));
  let slot = 0;
  const id = setInterval(() => {
    for (let i = slot; i < clients.length; i += slots) clients[i].ping();
    slot = (slot + 1) % slots;
  }, 100);
  return () => clearInterval(id);
}
