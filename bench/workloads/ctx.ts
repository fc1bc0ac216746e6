/** What every workload gets from `bench/run.ts`: sizes, the Postgres cluster, and switches. */
import type { Kind } from "../loadgen/client.ts";

export interface Params {
  fanout: { groups: number[]; users: number; steps: number[]; stepSeconds: number };
  latency: {
    users: number;
    group: number;
    workspaceUsers: number;
    msgsPerSecond: number;
    /** The latency curve: the same workload at each of these rates (messages/s), lowest first. */
    curve: number[];
    warmupSeconds: number;
    seconds: number;
  };
  /** `settleSeconds`: how long after connecting memory is read (V8 gives back its churn after a while). */
  connections: {
    count: number;
    group: number;
    workspaceUsers: number;
    baselines: boolean;
    settleSeconds: number;
    /** A second reading this long after connecting (0: none): after V8's memory reducer has had its turn. */
    lateSeconds: number;
  };
  history: { channels: number; perChannel: number; requests: number; deepSeq: number };
  /** Search over channels x perChannel messages for a person who can read `readable` of them. */
  search: { channels: number; perChannel: number; readable: number; runs: number; writeSamples: number };
  /** Concurrent uploads of `bytes` each. */
  files: { uploads: number; bytes: number };
  /**
   * `visitors` start chats spread over `startSeconds` while `agents` (an even number) answer with automatic
   * assignment; each visitor sends `messages`, `messageIntervalMs` apart; a staff pair writes every
   * `staffIntervalMs` meanwhile.
   */
  visitors: {
    visitors: number;
    startSeconds: number;
    agents: number;
    messages: number;
    messageIntervalMs: number;
    staffIntervalMs: number;
  };
  reconnect: {
    clients: number;
    group: number;
    workspaceUsers: number;
    msgsPerSecond: number;
    beforeSeconds: number;
    afterSeconds: number;
  };
}

export interface Ctx {
  params: Params;
  /** The cluster's maintenance database; workloads create their own databases on it. */
  adminUrl: string;
  /** The postmaster's pid when the bench started the cluster: Postgres CPU is measured from its tree. */
  pgPid?: number;
  kinds: Kind[];
  tokenPrefix: string;
  verbose: boolean;
  cpuProfDir?: string;
  /** How long to wait for the shared machine to be quiet before each measured run. */
  quietSeconds: number;
  log(line: string): void;
}

/** deno task bench: about 15 minutes on 2 cores. */
export const FULL: Params = {
  fanout: {
    groups: [10, 100, 1000],
    users: 1000,
    steps: [5000, 7500, 11000, 17000, 25000, 38000, 57000, 85000, 128000, 192000],
    stepSeconds: 2.5,
  },
  latency: {
    users: 2000,
    group: 20,
    workspaceUsers: 500,
    msgsPerSecond: 1000,
    curve: [250, 500, 1000, 2000],
    warmupSeconds: 2,
    seconds: 10,
  },
  connections: {
    count: 10_000,
    group: 20,
    workspaceUsers: 1000,
    baselines: true,
    settleSeconds: 15,
    lateSeconds: 30,
  },
  history: { channels: 1000, perChannel: 1000, requests: 2000, deepSeq: 100 },
  search: { channels: 1000, perChannel: 1000, readable: 50, runs: 50, writeSamples: 2000 },
  files: { uploads: 20, bytes: 10 * 1024 * 1024 },
  visitors: {
    visitors: 500,
    startSeconds: 10,
    agents: 20,
    messages: 3,
    messageIntervalMs: 1000,
    staffIntervalMs: 50,
  },
  reconnect: {
    clients: 2000,
    group: 20,
    workspaceUsers: 500,
    msgsPerSecond: 200,
    beforeSeconds: 3,
    afterSeconds: 3,
  },
};

/** deno task bench --quick: every workload, smaller, in under two minutes. */
export const QUICK: Params = {
  fanout: { groups: [100], users: 500, steps: [5000, 10000, 20000, 40000, 80000], stepSeconds: 1 },
  latency: {
    users: 500,
    group: 20,
    workspaceUsers: 500,
    msgsPerSecond: 250,
    curve: [125, 250, 500],
    warmupSeconds: 1,
    seconds: 3,
  },
  connections: {
    count: 1000,
    group: 20,
    workspaceUsers: 1000,
    baselines: false,
    settleSeconds: 8,
    lateSeconds: 0,
  },
  history: { channels: 100, perChannel: 1000, requests: 300, deepSeq: 100 },
  search: { channels: 100, perChannel: 1000, readable: 50, runs: 20, writeSamples: 500 },
  files: { uploads: 20, bytes: 10 * 1024 * 1024 },
  visitors: {
    visitors: 100,
    startSeconds: 3,
    agents: 20,
    messages: 2,
    messageIntervalMs: 500,
    staffIntervalMs: 50,
  },
  reconnect: {
    clients: 500,
    group: 20,
    workspaceUsers: 500,
    msgsPerSecond: 100,
    beforeSeconds: 1.5,
    afterSeconds: 1.5,
  },
};
