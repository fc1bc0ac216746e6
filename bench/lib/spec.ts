/** What the orchestrator (`bench/run.ts`) hands a load generator process, one JSON file per run. */
import type { BenchUser, Kind, Transport } from "../loadgen/client.ts";

interface Common {
  kind: Kind;
  url: string;
  users: BenchUser[];
  openConcurrency: number;
  /** The server's pid, so steps can report its CPU use. */
  serverPid?: number;
  /** The Postgres postmaster's pid when the server stores messages there (Parley, Socket.io). */
  pgPid?: number;
  /** The server's event-loop lag samples (`lib/lag.ts`), reported per step. */
  lagFile?: string;
  /** How the clients read their sockets (`loadgen/client.ts`); Deno's `WebSocket` when absent. */
  transport?: Transport;
}

/** Workload 1: raise the rate step by step until p99 passes the limit. */
export interface FanoutSpec extends Common {
  scenario: "fanout";
  group: number;
  /** Target deliveries per second, in order. */
  steps: number[];
  stepSeconds: number;
  drainSeconds: number;
  p99LimitMs: number;
}

/**
 * Workload 2: one steady rate, send→ack and send→deliver percentiles; then (`curve`) the same at each
 * rate of the latency curve, lowest first, on the same connections.
 */
export interface SteadySpec extends Common {
  scenario: "steady";
  msgsPerSecond: number;
  curve?: number[];
  warmupSeconds: number;
  seconds: number;
}

/** Workload 3: open every connection, hold them idle until told to release. */
export interface IdleSpec extends Common {
  scenario: "idle";
  pingSeconds: number;
}

/** Workload 5: all `users` drop at once and resume; `senders` keep posting throughout. */
export interface StormSpec extends Common {
  scenario: "storm";
  senders: BenchUser[];
  msgsPerSecond: number;
  beforeSeconds: number;
  afterSeconds: number;
}

/** Workload 4: latest page and a deep page through the REST API. */
export interface HistorySpec extends Common {
  scenario: "history";
  token: string;
  /** channel id -> a message id deep in the past (pages before it). */
  deep: [number, number][];
  requests: number;
  concurrency: number;
}

export type Spec = FanoutSpec | SteadySpec | IdleSpec | StormSpec | HistorySpec;
