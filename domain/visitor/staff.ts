/**
 * The staff side of visitor chat: the Visitors panel's data (waiting list, held conversations, agents,
 * tickets), a conversation with its visitor's details and internal notes, ending, escalation into an
 * internal thread, canned replies and ratings.
 */
import { z } from "zod";
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import * as agentsRepo from "../../db/repos/visitor_agents.ts";
import * as ticketsRepo from "../../db/repos/tickets.ts";
import * as channels from "../channels.ts";
import * as messages from "../messages.ts";
import type { Actor, Deps } from "../deps.ts";
import { conflict, forbidden } from "../errors.ts";
import { parse } from "../validate.ts";
import { heldConversation, requireQueue } from "./access.ts";
import { readVisitorSettings } from "./settings.ts";
import { staffView } from "./views.ts";
import { endConversation, systemMessage } from "./lifecycle.ts";
import { visitorTx } from "./publish.ts";

/** Everything the Visitors panel shows. */
export async function overview(deps: Deps, actor: Actor) {
  requireQueue(actor);
  const ws = actor.workspaceId;
  const monitor = actor.permissions.has("chat.public_monitor");
  const [waiting, held, live, me, tickets, settings] = await Promise.all([
    convRepo.waiting(deps.db, ws),
    convRepo.heldBy(deps.db, ws, actor.userId),
    monitor ? convRepo.allActive(deps.db, ws) : Promise.resolve([]),
    agentsRepo.get(deps.db, ws, actor.userId),
    ticketsRepo.list(deps.db, ws, 20),
    readVisitorSettings(deps.db, ws),
  ]);
  return {
    waiting: waiting.map(staffView),
    held: held.map(staffView),
    /** For monitors: every conversation in progress held by someone else, to watch live (read-only). */
    live: live.filter((c) => c.agentId !== actor.userId).map(staffView),
    me: me ??
      { userId: actor.userId, available: false, capacity: settings.default_capacity, team: "", load: 0 },
    autoAssign: settings.auto_assign,
    tickets: tickets.map((t) => ({ id: t.id, source: t.source, subject: t.subject, createdAt: t.createdAt })),
    canned: settings.canned_replies,
  };
}

/** One conversation for staff: messages with internal notes, the visitor's details, earlier chats. */
export async function conversation(deps: Deps, actor: Actor, id: number) {
  const c = await heldConversation(deps, actor, id, { waitingOk: true, read: true });
  const [msgs, previous] = await Promise.all([
    convRepo.messages(deps.db, c.id, { withNotes: true }),
    convRepo.previousByEmail(deps.db, actor.workspaceId, c.email, c.id),
  ]);
  return { conversation: staffView(c), messages: msgs, previous };
}

export async function endByAgent(deps: Deps, actor: Actor, id: number) {
  const c = await heldConversation(deps, actor, id);
  if (c.status === "ended") throw conflict("This chat has already ended");
  await endConversation(deps, actor.workspaceId, c.id, "agent");
  return { ok: true };
}

export const EscalateInput = z.object({
  userIds: z.array(z.number().int().positive()).min(1).max(20),
  note: z.string().trim().max(2000).optional().default(""),
}).strict();

/**
 * Pulls colleagues into an internal conversation (a DM for one, a group for several) linked to the visitor
 * conversation; the visitor sees none of it, only the answer the agent then writes.
 */
export async function escalate(deps: Deps, actor: Actor, id: number, input: unknown) {
  const p = parse(EscalateInput, input);
  const c = await heldConversation(deps, actor, id);
  const others = [...new Set(p.userIds.filter((u) => u !== actor.userId))];
  if (!others.length) throw conflict("Choose at least one colleague");
  const ch = others.length === 1
    ? await channels.openDirect(deps, actor, { userId: others[0] })
    : await channels.openGroup(deps, actor, {
      userIds: others,
      name: `Visitor ${c.name || `#${c.id}`}`.slice(0, 80),
    });
  const summary = [
    `**Escalated visitor chat #${c.id}** (${c.name || "visitor"}${c.topic ? `, ${c.topic}` : ""})`,
    p.note,
    `Open it: /chat?visitor=${c.id}`,
  ].filter(Boolean).join("\n");
  await messages.send(deps, actor, {
    channelId: ch.id,
    clientId: `escalate-${c.id}-${Date.now()}`,
    body: summary,
  });
  await visitorTx(deps, async (sql, emit) => {
    await convRepo.setEscalation(sql, c.id, ch.id);
    await systemMessage(
      sql,
      emit,
      actor.workspaceId,
      c.id,
      `${actor.displayName} escalated this chat to colleagues.`,
      undefined,
      "staff",
    );
  });
  return { channelId: ch.id };
}

export async function agents(deps: Deps, actor: Actor) {
  requireQueue(actor);
  return await agentsRepo.list(deps.db, actor.workspaceId);
}

/** Ratings per agent and per team: average (0-100 %), count, recent comments. */
export async function ratings(deps: Deps, actor: Actor) {
  if (!actor.permissions.has("chat.public_monitor") && !actor.permissions.has("chat.view_analytics")) {
    throw forbidden("Ratings need chat.view_analytics or chat.public_monitor");
  }
  const [byAgent, byTeam] = await Promise.all([
    ticketsRepo.ratingSummary(deps.db, actor.workspaceId, "agent"),
    ticketsRepo.ratingSummary(deps.db, actor.workspaceId, "team"),
  ]);
  return { byAgent, byTeam };
}
