/**
 * Queue and routing. Claim: a conditional update, so when several agents click at once exactly one wins.
 * Automatic assignment (setting `auto_assign`): the oldest waiting visitor goes to the available, online
 * agent under capacity who was assigned least recently (round robin); it runs whenever the queue or an
 * agent's load or availability changes. An agent offline longer than the grace period loses their open
 * conversations to another agent or back to the front of the queue, with a visible note.
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import * as agentsRepo from "../../db/repos/visitor_agents.ts";
import * as usersRepo from "../../db/repos/users.ts";
import type { Actor, Deps } from "../deps.ts";
import { conflict, forbidden, invalid, notFound } from "../errors.ts";
import { parse } from "../validate.ts";
import { effectivePermissions } from "../permissions.ts";
import { heldConversation, requireQueue } from "./access.ts";
import { type Emit, queueChanged, staffAudience, toVisitor, visitorTx } from "./publish.ts";
import { readVisitorSettings } from "./settings.ts";
import { estimateWait } from "./views.ts";
import { systemMessage } from "./lifecycle.ts";
import { SingleFlight } from "../single_flight.ts";

async function statusTo(sql: Sql, emit: Emit, workspaceId: number, conversationId: number) {
  const c = await convRepo.byId(sql, workspaceId, conversationId);
  if (!c) return;
  emit(workspaceId, {
    type: "visitor_status",
    conversationId,
    status: c.status,
    agentName: c.agentName,
    position: null,
    waitSeconds: null,
    ticketId: c.ticketId,
  }, toVisitor(conversationId));
}

/** `monitorIds`: the workspace's monitors, when the caller read them already (a run assigns many). */
async function assignTo(
  sql: Sql,
  emit: Emit,
  workspaceId: number,
  conversationId: number,
  agent: { userId: number; displayName: string },
  monitorIds?: number[],
) {
  if (!(await convRepo.assign(sql, conversationId, agent.userId))) return false;
  await agentsRepo.touchAssigned(sql, agent.userId);
  await systemMessage(
    sql,
    emit,
    workspaceId,
    conversationId,
    `${agent.displayName} joined the chat.`,
    undefined,
    "both",
    monitorIds && { agentId: agent.userId, monitorIds },
  );
  await statusTo(sql, emit, workspaceId, conversationId);
  return true;
}

/** Claims a waiting conversation. Exactly one of several simultaneous claims wins; the others get 409. */
export async function claim(deps: Deps, actor: Actor, conversationId: number) {
  requireQueue(actor);
  const s = await readVisitorSettings(deps.db, actor.workspaceId);
  await visitorTx(deps, async (sql, emit) => {
    const c = await convRepo.lock(sql, actor.workspaceId, conversationId);
    if (!c) throw notFound("No such visitor conversation");
    await agentsRepo.upsert(sql, actor.workspaceId, actor.userId, {}, s.default_capacity);
    const ok = await assignTo(sql, emit, actor.workspaceId, conversationId, actor);
    if (!ok) {
      throw conflict(c.status === "active" ? "Someone else has claimed this visitor" : "This chat has ended");
    }
    await queueChanged(sql, emit, actor.workspaceId, conversationId);
  });
  await broadcastPositions(deps, actor.workspaceId);
  return { ok: true };
}

/** Assignments per transaction: each holds its conversations' rows (their messages wait) until it commits. */
const ASSIGN_BATCH = 20;

/**
 * Assigns waiting visitors to free agents while both exist (when automatic assignment is on), oldest
 * first, in transactions of up to `ASSIGN_BATCH` under the workspace's lock (one router at a time across
 * instances, so capacity holds). The free agents are read once per transaction, in round-robin order, and
 * kept up to date as visitors are assigned: a queue of 500 with every agent full costs one query, not one
 * per waiting visitor. One transaction for the whole queue held every assigned conversation's row for
 * seconds (500 visitors starting): their messages waited on those rows, holding pooled connections.
 */
export async function autoAssign(deps: Deps, workspaceId: number): Promise<number> {
  const s = await readVisitorSettings(deps.db, workspaceId);
  if (!s.auto_assign) return 0;
  let total = 0;
  for (;;) {
    const n = await visitorTx(deps, async (sql, emit) => {
      await agentsRepo.lockWorkspace(sql, workspaceId);
      const free = await agentsRepo.eligible(sql, workspaceId, "");
      let n = 0;
      let monitorIds: number[] | undefined; // read once per transaction, at the first assignment
      for (const c of await convRepo.waiting(sql, workspaceId)) {
        if (!free.length || n === ASSIGN_BATCH) break;
        const i = free.findIndex((a) => !c.team || a.team === c.team);
        if (i < 0) continue;
        const agent = free[i];
        monitorIds ??= (await staffAudience(sql, workspaceId) as { userIds: number[] }).userIds;
        if (!(await assignTo(sql, emit, workspaceId, c.id, agent, monitorIds))) continue;
        n++;
        // Assigned just now: the last in the round robin, or out when full.
        free.splice(i, 1);
        if (++agent.load < agent.capacity) free.push(agent);
      }
      if (n) await queueChanged(sql, emit, workspaceId, null);
      return n;
    });
    total += n;
    if (n < ASSIGN_BATCH) return total;
  }
}

/**
 * After anything that changes the queue or an agent's load: assign, then tell waiting visitors their place.
 * Runs of one workspace on this instance go one at a time, and whoever asks during a run shares the one
 * after it (`SingleFlight`): 500 visitors starting within seconds otherwise queued 500 transactions on the
 * workspace's lock, each holding a pooled connection, and sent 500 x 500 queue positions.
 */
export async function afterQueueChange(deps: Deps, workspaceId: number) {
  await (deps.assignRuns ??= new SingleFlight()).run(workspaceId, async () => {
    await autoAssign(deps, workspaceId);
    await broadcastPositions(deps, workspaceId);
  });
}

/** Sends every waiting visitor its place in line and estimated wait. */
export async function broadcastPositions(deps: Deps, workspaceId: number) {
  const waiting = await convRepo.positions(deps.db, workspaceId);
  if (!waiting.size) return;
  const mean = await convRepo.meanWaitSeconds(deps.db, workspaceId);
  const agents = (await agentsRepo.list(deps.db, workspaceId)).filter((a) => a.available && a.online).length;
  deps.bus.publish([...waiting].map(([id, position]) => ({
    event: {
      type: "visitor_status" as const,
      conversationId: id,
      status: "waiting" as const,
      agentName: null,
      position,
      waitSeconds: estimateWait(position, mean, agents),
      ticketId: null,
    },
    audience: toVisitor(id),
    workspaceId,
  })));
}

export const AvailabilityInput = z.object({
  available: z.boolean().optional(),
  capacity: z.number().int().min(0).max(50).optional(),
  team: z.string().trim().max(60).optional(),
}).strict();

/** The availability switch for visitor chats (separate from presence), capacity and team. */
export async function setAvailability(deps: Deps, actor: Actor, input: unknown) {
  requireQueue(actor);
  const p = parse(AvailabilityInput, input);
  const s = await readVisitorSettings(deps.db, actor.workspaceId);
  await visitorTx(deps, async (sql, emit) => {
    await agentsRepo.upsert(sql, actor.workspaceId, actor.userId, p, s.default_capacity);
    await queueChanged(sql, emit, actor.workspaceId, null);
  });
  await afterQueueChange(deps, actor.workspaceId);
  return await agentsRepo.get(deps.db, actor.workspaceId, actor.userId);
}

export const TransferInput = z.object({
  toUserId: z.number().int().positive().optional(),
  toTeam: z.string().trim().min(1).max(60).optional(),
  note: z.string().trim().max(1000).optional().default(""),
}).strict().refine((v) => !!v.toUserId !== !!v.toTeam, "give either toUserId or toTeam");

/** Hands a conversation to another agent, or back to the queue for a team, with a note for staff. */
export async function transfer(deps: Deps, actor: Actor, conversationId: number, input: unknown) {
  const p = parse(TransferInput, input);
  const c = await heldConversation(deps, actor, conversationId);
  if (!actor.permissions.has("chat.public_transfer") && !actor.permissions.has("chat.public_monitor")) {
    throw forbidden("Transferring visitors needs the chat.public_transfer permission");
  }
  if (c.status !== "active") throw conflict("Only a conversation in progress can be transferred");
  const s = await readVisitorSettings(deps.db, actor.workspaceId);
  await visitorTx(deps, async (sql, emit) => {
    if (p.toUserId) {
      const u = await usersRepo.byId(sql, actor.workspaceId, p.toUserId);
      if (!u || u.deactivatedAt) throw invalid("toUserId: no such person in this workspace");
      if (!effectivePermissions(u.role, u.permissions, u.rolePermissions).has("chat.public_queue")) {
        throw invalid("toUserId: this person does not answer visitors");
      }
      await agentsRepo.upsert(sql, actor.workspaceId, u.id, {}, s.default_capacity);
      await convRepo.moveTo(sql, c.id, u.id);
      await systemMessage(
        sql,
        emit,
        actor.workspaceId,
        c.id,
        `Transferred by ${actor.displayName} to ${u.displayName}${p.note ? `: ${p.note}` : "."}`,
        undefined,
        "staff",
      );
      await systemMessage(sql, emit, actor.workspaceId, c.id, `${u.displayName} joined the chat.`);
    } else {
      await systemMessage(
        sql,
        emit,
        actor.workspaceId,
        c.id,
        `Transferred by ${actor.displayName} to team ${p.toTeam}${p.note ? `: ${p.note}` : "."}`,
        undefined,
        "staff",
      );
      await convRepo.requeue(sql, c.id, p.toTeam!);
      await systemMessage(
        sql,
        emit,
        actor.workspaceId,
        c.id,
        "You are being transferred; someone will be with you shortly.",
      );
    }
    await statusTo(sql, emit, actor.workspaceId, c.id);
    await queueChanged(sql, emit, actor.workspaceId, c.id);
  });
  await afterQueueChange(deps, actor.workspaceId);
  return { ok: true };
}

/**
 * Agents who have been offline longer than the grace period lose their open conversations: each moves to
 * another available agent (with automatic assignment) or back to the front of the queue. Run periodically.
 */
export async function releaseOfflineAgents(deps: Deps, workspaceId: number): Promise<number> {
  const s = await readVisitorSettings(deps.db, workspaceId);
  const active = await convRepo.allActive(deps.db, workspaceId);
  const holders = [...new Set(active.map((c) => c.agentId).filter((x): x is number => x !== null))];
  let moved = 0;
  for (const agentId of holders) {
    const online = await agentsRepo.isOnline(deps.db, agentId);
    const since = await deps.db.query<{ offlineSince: string | null }>(
      `UPDATE visitor_agents SET offline_since = CASE WHEN $2 THEN NULL ELSE coalesce(offline_since, now()) END
       WHERE user_id = $1 RETURNING offline_since AS "offlineSince"`,
      [agentId, online],
    );
    const off = since[0]?.offlineSince;
    if (online || !off || deps.now().getTime() - Date.parse(off) < s.offline_grace_seconds * 1000) continue;
    moved += await visitorTx(deps, async (sql, emit) => {
      await agentsRepo.lockWorkspace(sql, workspaceId);
      let n = 0;
      for (const c of await convRepo.heldBy(sql, workspaceId, agentId)) {
        const next = s.auto_assign
          ? (await agentsRepo.eligible(sql, workspaceId, "", agentId))[0]
          : undefined;
        const who = c.agentName ?? "Your agent";
        if (next) {
          await convRepo.moveTo(sql, c.id, next.userId);
          await agentsRepo.touchAssigned(sql, next.userId);
          await systemMessage(
            sql,
            emit,
            workspaceId,
            c.id,
            `${who} went offline. ${next.displayName} joined the chat.`,
          );
        } else {
          await convRepo.requeue(sql, c.id, "");
          await systemMessage(
            sql,
            emit,
            workspaceId,
            c.id,
            `${who} went offline. You are back in line; someone will be with you shortly.`,
          );
        }
        await statusTo(sql, emit, workspaceId, c.id);
        n++;
      }
      if (n) await queueChanged(sql, emit, workspaceId, null);
      return n;
    });
  }
  if (moved) await afterQueueChange(deps, workspaceId);
  return moved;
}
