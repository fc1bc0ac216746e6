/**
 * The composition root, and the only one: config -> db -> migrations -> bus -> domain deps -> hub and
 * gateway -> app -> Deno.serve. Nothing else wires things together.
 */
import { loadConfig } from "./config.ts";
import { openDb } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { seedDemo } from "./db/seed.ts";
import * as messagesRepo from "./db/repos/messages.ts";
import * as usersRepo from "./db/repos/users.ts";
import type { CoreDeps, Deps } from "./domain/deps.ts";
import { SendBatcher } from "./domain/send_batch.ts";
import { Background } from "./domain/background.ts";
import { SearchIndexer } from "./domain/search_indexer.ts";
import { VisitorMessageBatcher } from "./domain/visitor/message_batch.ts";
import { presenceWriters } from "./domain/presence.ts";
import { RateLimiter } from "./domain/rate_limit.ts";
import type { EventBus } from "./realtime/server/bus/bus.ts";
import { memoryBus } from "./realtime/server/bus/memory.ts";
import { broadcastChannelBus } from "./realtime/server/bus/broadcast_channel.ts";
import { pgNotifyBus } from "./realtime/server/bus/pg_notify.ts";
import { Hub } from "./realtime/server/hub.ts";
import { createGateway } from "./realtime/server/gateway.ts";
import { createApp } from "./routes/app.ts";
import { sweep as sweepCalls } from "./domain/calls.ts";
import { openStorage } from "./db/storage/open.ts";
import { vipsImageProcessor } from "./domain/images.ts";
import * as files from "./domain/files.ts";
import { pageRoutes } from "./routes/pages/mod.ts";
import { ensureKeys } from "./domain/notifications/keys.ts";
import { type NotificationWorker, startNotificationWorker } from "./notifications/worker.ts";
import { smtpTransport } from "./notifications/smtp.ts";
import { generateVapidKeys, webPushTransport } from "./notifications/web_push.ts";
import { createVisitorGateway, VisitorHub } from "./realtime/server/visitor_gateway.ts";
import { startVisitorWorker } from "./domain/visitor/worker.ts";
import { startRetentionWorker } from "./domain/admin/retention_worker.ts";
import { visitorPageRoutes } from "./routes/visitor/pages.tsx";
import type { Config } from "./config.ts";
import type { Db } from "./db/client.ts";

/** Printed by a start with no users and no demo: how to create the first administrator. */
export const FIRST_ADMIN_HINT = "No users yet. Create the first administrator with:\n" +
  '  deno task admin:create --username admin --name "Your Name"\n' +
  "It asks for the password (or reads PARLEY_ADMIN_PASSWORD). Use DATABASE_URL / DATA_DIR as for the server.";

export interface Server {
  url: string;
  deps: Deps;
  hub: Hub;
  /** The notification worker, or null when NOTIFY_WORKER=0. */
  notifier: NotificationWorker | null;
  shutdown(): Promise<void>;
}

/** The bus, and what to close with it. LISTEN/NOTIFY gets its own small pool so fan-out never queues behind writes. */
async function selectBus(config: Config, db: Db): Promise<{ bus: EventBus; busDb: Db | null }> {
  if (config.bus === "pg_notify") {
    const busDb = config.databaseUrl
      ? await openDb({ databaseUrl: config.databaseUrl, dataDir: "", maxConnections: 2, asyncCommit: true })
      : db;
    const bus = await pgNotifyBus(
      busDb,
      config.instanceId,
      (channelId, seqs) => messagesRepo.envelopes(busDb, channelId, seqs),
    );
    return { bus, busDb: busDb === db ? null : busDb };
  }
  if (config.bus === "broadcast_channel") return { bus: broadcastChannelBus(), busDb: null };
  return { bus: memoryBus(), busDb: null };
}

/** The domain's dependencies: the plain parts, then the per-server helpers built from them. */
export function buildDeps(core: CoreDeps): Deps {
  const searchIndexer = new SearchIndexer(core.db);
  return {
    ...core,
    searchIndexer,
    sendBatcher: new SendBatcher(core, (n) => searchIndexer.stored(n)),
    visitorBatcher: new VisitorMessageBatcher(core),
    presenceWriters: presenceWriters(core),
    background: new Background(),
  };
}

/** Starts Parley. Used by `deno task start` and by tests that need a real server. */
export async function startServer(
  config: Config,
  log: (line: string) => void = console.log,
): Promise<Server> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(db, log);
  if (config.demo && await seedDemo(db, { slug: config.defaultWorkspace, password: config.demoPassword })) {
    log(`seed: created the demo workspace "${config.defaultWorkspace}"`);
  }
  if (!config.demo && !(await usersRepo.anyExists(db))) log(FIRST_ADMIN_HINT);
  const { bus, busDb } = await selectBus(config, db);
  const deps = buildDeps({
    db,
    bus,
    config,
    now: () => new Date(),
    limiter: new RateLimiter(),
    files: {
      storage: openStorage(config.files, db),
      images: vipsImageProcessor(),
      orphanSeconds: config.files.orphanSeconds,
    },
  });
  deps.searchIndexer.start();
  // Files whose message never came, and bytes of deleted messages a failed delete left behind.
  const sweeper = setInterval(() => {
    files.sweep(deps).catch((e) => log(`files: sweep failed: ${e}`));
  }, 10 * 60_000);
  const hub = new Hub(config.ws);
  const unsubscribe = bus.subscribe((env) => hub.deliver(env));
  const gateway = createGateway(deps, hub);
  let sweeping = false;
  const callSweeper = setInterval(async () => {
    if (sweeping) return;
    sweeping = true;
    await sweepCalls(deps).catch((e) => console.error("call sweep", e)).finally(() => (sweeping = false));
  }, Math.min(1000, config.calls.ringTimeoutMs / 4));
  Deno.unrefTimer(callSweeper);
  const visitorGateway = createVisitorGateway(deps, new VisitorHub());
  const stopVisitorWorker = startVisitorWorker(deps, config.visitorWorkerMs);
  const stopRetention = startRetentionWorker(deps, config.retentionEveryMs);
  const pages = await pageRoutes(deps);
  const app = createApp(deps, {
    mounts: [
      ["/api/chat", gateway.routes],
      ["/api/visitor", visitorGateway.routes],
      ["/", await visitorPageRoutes(deps)],
      ["/", pages],
    ],
  });
  const ac = new AbortController();
  const server = Deno.serve(
    { port: config.port, hostname: config.hostname, signal: ac.signal, onListen: () => {} },
    app.fetch,
  );
  const url = `http://localhost:${server.addr.port}`;
  const n = config.notifications;
  const keys = await ensureKeys(db, generateVapidKeys);
  const notifier = n.worker
    ? startNotificationWorker(deps, {
      baseUrl: n.publicUrl ?? url,
      linkSecret: keys.linkSecret,
      transports: [
        smtpTransport({ url: n.smtpUrl, from: n.mailFrom }),
        webPushTransport({
          publicKey: keys.vapidPublicKey,
          privateKey: keys.vapidPrivateKey,
          subject: n.vapidSubject,
        }),
      ],
      log,
    })
    : null;
  return {
    url,
    deps,
    hub,
    notifier,
    async shutdown() {
      await notifier?.stop();
      clearInterval(sweeper);
      gateway.stop();
      visitorGateway.stop();
      stopVisitorWorker();
      stopRetention();
      clearInterval(callSweeper);
      hub.closeAll(1001, "server shutting down");
      unsubscribe();
      ac.abort();
      await server.finished;
      await deps.background.idle();
      await deps.searchIndexer.stop();
      await bus.close();
      await busDb?.close();
      await db.close();
    },
  };
}

if (import.meta.main) {
  const config = loadConfig(Deno.env.toObject(), Deno.args);
  const s = await startServer(config);
  const where = config.databaseUrl ? "Postgres (DATABASE_URL)" : `embedded PGlite in ${config.dataDir}`;
  console.log(
    `Parley is running at ${s.url} on ${where}, bus: ${config.bus}, instance ${config.instanceId}.`,
  );
  if (config.demo) {
    console.log(
      `Open ${s.url}/login and sign in as alice (or bob, carol, dave, admin) with password "${config.demoPassword}".`,
    );
  }
  console.log(`API docs: ${s.url}/api/docs`);
  const stop = async () => {
    console.log("Stopping…");
    await s.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
