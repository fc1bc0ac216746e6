/**
 * Tickets through a provider: the built-in one (the `tickets` table, linked in the conversation) and, when
 * the workspace set a webhook URL, an outgoing webhook to the host application (see `webhooks.ts`). Made
 * when a chat ends, from the offline form, and by staff from any message.
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import * as ticketsRepo from "../../db/repos/tickets.ts";
import * as messages from "../messages.ts";
import type { Actor, Deps } from "../deps.ts";
import { AppError, forbidden, notFound } from "../errors.ts";
import { parse } from "../validate.ts";
import { readVisitorSettings } from "./settings.ts";
import { queueChanged, visitorTx } from "./publish.ts";
import { requireQueue } from "./access.ts";

export type Ticket = ticketsRepo.TicketRow;

/** The payload the webhook carries for a ticket (documented in docs/visitor-chat.md). */
export function ticketPayload(t: Ticket, extra: Record<string, unknown> = {}) {
  return {
    event: "ticket.created",
    ticket: {
      id: t.id,
      source: t.source,
      subject: t.subject,
      body: t.body,
      category: t.category,
      rating: t.rating,
      requester: { name: t.requesterName, email: t.requesterEmail },
      conversationId: t.conversationId,
      createdAt: t.createdAt,
    },
    ...extra,
  };
}

async function afterTicket(_deps: Deps, sql: Sql, t: Ticket) {
  const s = await readVisitorSettings(sql, t.workspaceId);
  if (s.webhook_url) {
    await ticketsRepo.enqueue(sql, {
      workspaceId: t.workspaceId,
      ticketId: t.id,
      event: "ticket.created",
      url: s.webhook_url,
      payload: JSON.stringify(ticketPayload(t)),
    });
  }
}

/** The ticket of an ended chat (once per conversation): transcript, visitor, category, rating. */
export async function ticketFromConversation(
  deps: Deps,
  sql: Sql,
  workspaceId: number,
  conversationId: number,
): Promise<Ticket | null> {
  const c = await convRepo.byId(sql, workspaceId, conversationId);
  if (!c) return null;
  const msgs = await convRepo.messages(sql, c.id, { withNotes: false, limit: 10_000 });
  const body = msgs.map((m) => `${m.kind === "system" ? "—" : m.authorName || m.kind}: ${m.body}`).join("\n");
  const rating = await sql.query<{ value: number }>(
    "SELECT value FROM visitor_ratings WHERE conversation_id = $1",
    [c.id],
  );
  const t = await ticketsRepo.insert(sql, {
    workspaceId,
    source: "visitor_chat",
    conversationId: c.id,
    messageId: null,
    subject: `Chat with ${c.name || "a visitor"}${c.topic ? `: ${c.topic}` : ""}`,
    body,
    requesterName: c.name,
    requesterEmail: c.email,
    category: c.topic,
    rating: rating[0]?.value ?? null,
    createdBy: null,
  });
  if (t) await afterTicket(deps, sql, t);
  return t;
}

export const OfflineInput = z.object({
  name: z.string().trim().min(1).max(100),
  email: z.string().trim().email().max(200),
  topic: z.string().trim().max(60).optional().default(""),
  message: z.string().trim().min(1).max(4000),
  website: z.string().max(500).optional().default(""),
  formMs: z.number().min(0).max(86_400_000),
}).strict();

/** The offline form: becomes a ticket and reaches staff (the Visitors panel lists it). */
export async function offlineMessage(deps: Deps, workspaceId: number, input: unknown, ip: string) {
  const v = parse(OfflineInput, input);
  if (v.website) throw new AppError("bot_suspected", 400, "This form could not be sent");
  const s = await readVisitorSettings(deps.db, workspaceId);
  if (v.formMs < s.min_form_seconds * 1000) {
    throw new AppError("too_fast", 400, "The form was sent too quickly; please try again");
  }
  deps.limiter.take(`visitor-offline:${ip}`, 10, "Too many messages from this address");
  const t = await visitorTx(deps, async (sql, emit) => {
    const t = await ticketsRepo.insert(sql, {
      workspaceId,
      source: "offline_form",
      conversationId: null,
      messageId: null,
      subject: `Offline message from ${v.name}${v.topic ? `: ${v.topic}` : ""}`,
      body: v.message,
      requesterName: v.name,
      requesterEmail: v.email,
      category: v.topic,
      rating: null,
      createdBy: null,
    });
    await afterTicket(deps, sql, t!);
    await queueChanged(sql, emit, workspaceId, null);
    return t!;
  });
  return { ticketId: t.id };
}

/** A staff member makes a ticket from any chat message they can read. */
export async function ticketFromMessage(deps: Deps, actor: Actor, messageId: number) {
  const m = await messages.get(deps, actor, messageId);
  return await visitorTx(deps, async (sql) => {
    const t = await ticketsRepo.insert(sql, {
      workspaceId: actor.workspaceId,
      source: "message",
      conversationId: null,
      messageId: m.id,
      subject: m.body.split("\n")[0].slice(0, 120) || `Message ${m.id}`,
      body: m.body,
      requesterName: actor.displayName,
      requesterEmail: "",
      category: "",
      rating: null,
      createdBy: actor.userId,
    });
    await afterTicket(deps, sql, t!);
    return t!;
  });
}

export async function listTickets(deps: Deps, actor: Actor) {
  requireQueue(actor);
  return await ticketsRepo.list(deps.db, actor.workspaceId);
}

export async function getTicket(deps: Deps, actor: Actor, id: number) {
  requireQueue(actor);
  const t = await ticketsRepo.byId(deps.db, actor.workspaceId, id);
  if (!t) throw notFound("No such ticket");
  return t;
}

export async function deliveryLog(deps: Deps, actor: Actor) {
  if (!actor.permissions.has("chat.public_monitor")) {
    throw forbidden("The delivery log needs chat.public_monitor");
  }
  return await ticketsRepo.deliveries(deps.db, actor.workspaceId);
}
