/**
 * The dashboard's figures (chat.admin_dashboard): health, live connections, visitor chat, message counts,
 * storage (messages, files, database size) and the two message charts.
 */
import * as statsRepo from "../../db/repos/admin_stats.ts";
import * as analyticsRepo from "../../db/repos/analytics.ts";
import type { Actor, Deps } from "../deps.ts";
import { requirePermission } from "../access.ts";
import { dashboardSeries } from "./analytics.ts";

export const VERSION = "0.13";

export async function dashboard(deps: Deps, actor: Actor) {
  requirePermission(actor, "chat.admin_dashboard");
  const [live, databaseBytes, series, storage, visitors, messagesTotal] = await Promise.all([
    statsRepo.live(deps.db, actor.workspaceId),
    statsRepo.databaseBytes(deps.db),
    dashboardSeries(deps, actor.workspaceId),
    statsRepo.storage(deps.db, actor.workspaceId),
    statsRepo.visitors(deps.db, actor.workspaceId),
    analyticsRepo.totalMessages(deps.db, actor.workspaceId),
  ]);
  return {
    engine: deps.db.engine,
    instance: deps.config.instanceId,
    uptimeSeconds: Math.round(performance.now() / 1000),
    version: VERSION,
    peopleOnline: live.peopleOnline,
    openTabs: live.instances.reduce((n, i) => n + i.connections, 0),
    instances: live.instances.map((i) => ({ id: i.id, connections: i.connections })),
    messages24h: live.messages24h,
    messagesTotal,
    databaseBytes,
    messagesBytes: storage.messagesBytes,
    filesBytes: storage.filesBytes,
    files: storage.files,
    visitorsWaiting: visitors.waiting,
    visitorChatsActive: visitors.active,
    messagesPerHour: series.perHour,
    messagesPerDay: series.perDay,
  };
}
