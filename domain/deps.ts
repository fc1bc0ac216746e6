/** What every domain function receives: the database, the bus to publish on after commit, settings, a clock. */
import type { Db } from "../db/client.ts";
import type { EventBus } from "../realtime/server/bus/bus.ts";
import type { Config } from "../config.ts";
import type { Permission, WorkspaceRole } from "./permissions.ts";
import type { RateLimiter } from "./rate_limit.ts";
import type { FileServices } from "./files.ts";
import type { SingleFlight } from "./single_flight.ts";
import type { SendBatcher } from "./send_batch.ts";
import type { PresenceWriters } from "./presence.ts";
import type { Background } from "./background.ts";
import type { VisitorMessageBatcher } from "./visitor/message_batch.ts";
import type { SearchIndexer } from "./search_indexer.ts";

/** The plain parts, built first; the stateful helpers below are built from them (in `main.ts`). */
export interface CoreDeps {
  db: Db;
  bus: EventBus;
  config: Config;
  now: () => Date;
  limiter: RateLimiter;
  /** File storage and image processing; made on first use (database storage) when absent. */
  files?: FileServices;
  /** Automatic assignment runs of visitors, one at a time per workspace; made on first use. */
  assignRuns?: SingleFlight<number>;
}

export interface Deps extends CoreDeps {
  /** Group commit for plain sends (one per server). */
  sendBatcher: SendBatcher;
  /** Group commit for visitor-chat messages and agent replies (one per server). */
  visitorBatcher: VisitorMessageBatcher;
  /** Grouped connection-row writes and the presence announcer (one per server). */
  presenceWriters: PresenceWriters;
  /** Work started by a request and not waited for (one per server; shutdown waits for it). */
  background: Background;
  /** Search rows for new messages, in batches after commit (one per server; started by `main.ts`). */
  searchIndexer: SearchIndexer;
}

/** The authenticated caller of a domain function. */
export interface Actor {
  userId: number;
  workspaceId: number;
  username: string;
  displayName: string;
  role: WorkspaceRole;
  permissions: Set<Permission>;
  /** sha-256 of the session token, so logout can end exactly this session. */
  sessionHash: string | null;
  /** The host origin an embed session is bound to (docs/widget.md); absent for other sessions. */
  embedOrigin?: string | null;
}
