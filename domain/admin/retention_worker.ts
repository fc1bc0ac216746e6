/**
 * The retention job, started by main.ts: every `config.retentionEveryMs` it runs retention for each
 * workspace whose period is set and whose last scheduled run is at least that old (several instances may
 * both run; the deletes are idempotent: a deleted message is not found again), and removes the connection rows
 * instances left behind.
 */
import type { Deps } from "../deps.ts";
import * as retentionRepo from "../../db/repos/retention.ts";
import * as connectionsRepo from "../../db/repos/connections.ts";
import { runForWorkspace } from "./retention.ts";

export async function retentionTick(deps: Deps, everyMs: number): Promise<number> {
  // Connection rows of instances that stopped without closing their sockets (a crash, a kill): every reader
  // already ignores them once they are not refreshed; this removes them.
  await connectionsRepo.purgeStale(deps.db);
  let ran = 0;
  const workspaces = await deps.db.query<{ id: number }>("SELECT id FROM workspaces ORDER BY id");
  for (const { id } of workspaces) {
    const last = await retentionRepo.lastScheduled(deps.db, id);
    if (last && deps.now().getTime() - new Date(last).getTime() < everyMs * 0.9) continue;
    if (await runForWorkspace(deps, id, { trigger: "schedule", dryRun: false, by: null })) ran++;
  }
  return ran;
}

/** Starts the job (first pass a minute after start); returns its stop function. */
export function startRetentionWorker(deps: Deps, everyMs: number): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await retentionTick(deps, everyMs);
    } catch (e) {
      console.error("retention job", e);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(tick, Math.min(60_000, everyMs));
  const id = setInterval(tick, everyMs);
  Deno.unrefTimer(first);
  Deno.unrefTimer(id);
  return () => {
    clearTimeout(first);
    clearInterval(id);
  };
}
