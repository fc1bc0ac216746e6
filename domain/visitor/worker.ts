/**
 * The visitor-chat background worker, started by main.ts: every tick it delivers due webhooks, moves the
 * conversations of agents offline past the grace period, ends conversations whose visitor left longer than
 * the recovery window, and assigns waiting visitors when an agent came online. Safe on several instances
 * (conditional updates, a workspace lock for assignment, SKIP LOCKED for deliveries). A visitor is gone when
 * no socket of theirs is open (`visitor_presence`, counted over all instances; a count an instance left
 * behind when it stopped goes stale) and they were last seen longer ago than the recovery window.
 */
import type { Deps } from "../deps.ts";
import { deliverDue } from "./webhooks.ts";
import { afterQueueChange, releaseOfflineAgents } from "./routing.ts";
import { expire } from "./lifecycle.ts";
import { readVisitorSettings } from "./settings.ts";
import { connectedSql, seenAtSql } from "../../db/repos/visitor_presence.ts";

export async function tick(deps: Deps): Promise<void> {
  await deliverDue(deps);
  const open = await deps.db.query<{ ws: number }>(
    "SELECT DISTINCT workspace_id AS ws FROM visitor_conversations WHERE status <> 'ended'",
  );
  for (const { ws } of open) {
    const s = await readVisitorSettings(deps.db, ws);
    const stale = await deps.db.query<{ id: number }>(
      `SELECT c.id FROM visitor_conversations c LEFT JOIN visitor_presence p ON p.conversation_id = c.id
       WHERE c.workspace_id = $1 AND c.status <> 'ended' AND NOT ${connectedSql("p")}
         AND ${seenAtSql("p", "c")} < $2::timestamptz - make_interval(secs => $3)`,
      [ws, deps.now().toISOString(), s.recovery_minutes * 60],
    );
    for (const { id } of stale) await expire(deps, ws, id);
    await releaseOfflineAgents(deps, ws);
    await afterQueueChange(deps, ws);
  }
}

/** Starts the worker; returns its stop function. */
export function startVisitorWorker(deps: Deps, intervalMs = 2000): () => void {
  let running = false;
  const id = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await tick(deps);
    } catch (e) {
      console.error("visitor worker", e);
    } finally {
      running = false;
    }
  }, intervalMs);
  Deno.unrefTimer(id);
  return () => clearInterval(id);
}
