/**
 * A visitor conversation's life: start (idempotent per token, bot checks, rate limits, offline when nobody
 * answers), end (by the visitor, the agent, or the recovery window), rating once, transcript.
 */
import { z } from "zod";
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import * as ticketsRepo from "../../db/repos/tickets.ts";
import * as agentsRepo from "../../db/repos/visitor_agents.ts";
import type { Deps } from "../deps.ts";
import { AppError, conflict, invalid } from "../errors.ts";
import { parse } from "../validate.ts";
import { sha256 } from "../auth.ts";
import type { VisitorActor } from "./access.ts";
import { TOKEN_RE } from "./token.ts";
import { readVisitorSettings, type VisitorSettings, withinHours } from "./settings.ts";
import { type Emit, queueChanged, staffAudience, toVisitor, visitorTx } from "./publish.ts";
import { visitorView } from "./views.ts";
import { ticketFromConversation } from "./tickets.ts";
import { afterQueueChange } from "./routing.ts";
import { notifyVisitorWaiting } from "../notifications/visitor.ts";
import type { Sql } from "../../db/client.ts";

const text = (max: number) => z.string().trim().max(max).optional().default("");

export const StartInput = z.object({
  token: z.string().regex(TOKEN_RE, "a random token of 32-128 URL-safe characters"),
  name: text(100),
  email: z.string().trim().max(200).email().or(z.literal("")).optional().default(""),
  phone: text(40),
  topic: text(60),
  message: text(4000),
  /** The honeypot: a field people never see; bots fill it. */
  website: z.string().max(500).optional().default(""),
  /** Milliseconds between the form appearing and its submission. */
  formMs: z.number().min(0).max(86_400_000),
  page: z.string().max(500).optional().default(""),
}).strict();

export interface StartMeta {
  ip: string;
  userAgent: string;
}

/** Whether someone can answer now: inside business hours and an available agent online. */
export async function isOpen(
  deps: Deps,
  sql: Sql,
  workspaceId: number,
  s: VisitorSettings,
): Promise<boolean> {
  if (!s.enabled || !withinHours(s, deps.now())) return false;
  const agents = await agentsRepo.list(sql, workspaceId);
  return agents.some((a) => a.available && a.online && a.capacity > 0);
}

function checkFields(s: VisitorSettings, v: z.infer<typeof StartInput>) {
  for (const f of s.prechat_fields) {
    if (f.required && !v[f.key]) {
      throw invalid(`${f.key}: ${f.label} is required`, [{ path: f.key, message: "required" }]);
    }
  }
  if (v.topic && !s.topics.includes(v.topic)) throw invalid("topic: not one of the offered topics");
}

/** Starts a chat, or returns the one this token already started (so retries and races make one). */
export async function start(deps: Deps, workspaceId: number, input: unknown, meta: StartMeta) {
  const v = parse(StartInput, input);
  if (v.website) throw new AppError("bot_suspected", 400, "This form could not be sent");
  const s = await readVisitorSettings(deps.db, workspaceId);
  const tokenHash = await sha256(v.token);
  const existing = await convRepo.byToken(deps.db, tokenHash);
  if (existing) {
    if (existing.workspaceId !== workspaceId) throw conflict("This token belongs to another conversation");
    return { conversation: await visitorView(deps.db, existing), created: false };
  }
  if (v.formMs < s.min_form_seconds * 1000) {
    throw new AppError("too_fast", 400, "The form was sent too quickly; please try again");
  }
  checkFields(s, v);
  if (!(await isOpen(deps, deps.db, workspaceId, s))) {
    throw new AppError("offline", 409, s.offline_text);
  }
  deps.limiter.take(`visitor-start:${meta.ip}`, 20, "Too many chats started from this address");
  const created = await visitorTx(deps, async (sql, emit) => {
    const r = await convRepo.insert(sql, {
      workspaceId,
      tokenHash,
      name: v.name,
      email: v.email,
      phone: v.phone,
      topic: v.topic,
      answers: v.message ? { message: v.message } : {},
      page: v.page,
      userAgent: meta.userAgent.slice(0, 300),
      ip: meta.ip.slice(0, 60),
    });
    if (r.created) {
      if (s.greeting) await systemMessage(sql, emit, workspaceId, r.id, s.greeting, "greeting");
      if (v.message) {
        const m = await convRepo.insertMessage(sql, {
          conversationId: r.id,
          workspaceId,
          kind: "visitor",
          authorId: null,
          authorName: v.name || "Visitor",
          clientId: "prechat",
          body: v.message,
        });
        emit(
          workspaceId,
          { type: "visitor_message", conversationId: r.id, message: m.message },
          toVisitor(r.id),
        );
      }
      await queueChanged(sql, emit, workspaceId, r.id);
    }
    return r;
  });
  // The answer does not wait for the assignment run (it may queue behind another): the conversation is
  // stored and waiting, and the assignment reaches the visitor's socket (which re-reads the conversation
  // when it opens, so an assignment before that is not missed).
  if (created.created) {
    deps.background.run(
      "visitor assignment after start",
      () => assignThenNotify(deps, workspaceId, created.id),
    );
  }
  const row = await convRepo.byId(deps.db, workspaceId, created.id);
  return { conversation: await visitorView(deps.db, row!), created: created.created };
}

/** Assigns (when automatic), then pushes to staff on duty if the visitor is still waiting. */
async function assignThenNotify(deps: Deps, workspaceId: number, conversationId: number) {
  await afterQueueChange(deps, workspaceId);
  const row = await convRepo.byId(deps.db, workspaceId, conversationId);
  if (row?.status !== "waiting") return;
  // Staff on duty without a Parley tab open get a push (the notifications subsystem decides who).
  const onDuty = (await agentsRepo.list(deps.db, workspaceId)).filter((a) => a.available);
  await notifyVisitorWaiting(deps, {
    workspaceId,
    conversationId: row.id,
    visitorName: row.name || "A visitor",
    staffUserIds: onDuty.map((a) => a.userId),
    url: `/chat?visitor=${row.id}`,
  });
}

/**
 * A line from the system (or, with audience "staff", a note). Without a client id it gets a fresh one (never a
 * retry). `known`: the conversation's holder and the monitors, when the caller has them (no re-read).
 */
export async function systemMessage(
  sql: Sql,
  emit: Emit,
  workspaceId: number,
  conversationId: number,
  body: string,
  clientId?: string,
  audience: "both" | "staff" = "both",
  known?: { agentId: number | null; monitorIds: number[] },
) {
  const { message } = await convRepo.insertMessage(sql, {
    conversationId,
    workspaceId,
    kind: audience === "both" ? "system" : "note",
    authorId: null,
    authorName: "",
    clientId: clientId ?? crypto.randomUUID(),
    body,
    fresh: clientId === undefined,
  });
  const e = { type: "visitor_message" as const, conversationId, message };
  if (audience === "both") emit(workspaceId, e, toVisitor(conversationId));
  if (known) {
    const ids = new Set(known.monitorIds);
    if (known.agentId) ids.add(known.agentId);
    emit(workspaceId, e, { kind: "users", userIds: [...ids] });
  } else {
    const c = await convRepo.byId(sql, workspaceId, conversationId);
    emit(workspaceId, e, await staffAudience(sql, workspaceId, c?.agentId ?? null));
  }
  return message;
}

/** Ends a conversation once; makes its ticket; frees the agent's capacity for the next waiting visitor. */
export async function endConversation(
  deps: Deps,
  workspaceId: number,
  conversationId: number,
  by: "visitor" | "agent" | "system",
  note = "",
  storedBy: string = by,
): Promise<boolean> {
  const ended = await visitorTx(deps, async (sql, emit) => {
    const c = await convRepo.byId(sql, workspaceId, conversationId);
    if (!c || !(await convRepo.end(sql, conversationId, storedBy))) return false;
    const what = by === "visitor"
      ? "The visitor ended the chat."
      : by === "agent"
      ? "The chat was ended by support."
      : note || "The chat ended.";
    await systemMessage(sql, emit, workspaceId, conversationId, what, `end`);
    const ticket = await ticketFromConversation(deps, sql, workspaceId, conversationId);
    emit(workspaceId, { type: "visitor_ended", conversationId, by }, toVisitor(conversationId));
    emit(workspaceId, {
      type: "visitor_status",
      conversationId,
      status: "ended",
      agentName: c.agentName,
      position: null,
      waitSeconds: null,
      ticketId: ticket?.id ?? null,
    }, toVisitor(conversationId));
    await queueChanged(sql, emit, workspaceId, conversationId);
    return true;
  });
  if (ended) await afterQueueChange(deps, workspaceId);
  return ended;
}

export async function endByVisitor(deps: Deps, v: VisitorActor) {
  await endConversation(deps, v.workspaceId, v.conversationId, "visitor");
  return await viewOf(deps, v);
}

/** The recovery window passed with no tab open: the conversation ends as abandoned. */
export async function expire(deps: Deps, workspaceId: number, conversationId: number) {
  await endConversation(
    deps,
    workspaceId,
    conversationId,
    "system",
    "The visitor left (recovery window passed).",
    "abandoned",
  );
}

export async function viewOf(deps: Deps, v: VisitorActor) {
  const c = await convRepo.byId(deps.db, v.workspaceId, v.conversationId);
  return await visitorView(deps.db, c!);
}

export const RateInput = z.object({
  value: z.number().int(),
  comment: z.string().trim().max(2000).optional().default(""),
}).strict();

const RANGES = { stars: [1, 5], number: [1, 10], thumbs: [0, 1] } as const;

/** Rates an ended conversation, once. */
export async function rate(deps: Deps, v: VisitorActor, input: unknown) {
  const r = parse(RateInput, input);
  const s = await readVisitorSettings(deps.db, v.workspaceId);
  if (s.rating_type === "off") throw new AppError("ratings_off", 409, "Ratings are turned off");
  const [lo, hi] = RANGES[s.rating_type];
  if (r.value < lo || r.value > hi) throw invalid(`value: between ${lo} and ${hi}`);
  const c = await convRepo.byId(deps.db, v.workspaceId, v.conversationId);
  if (!c || c.status !== "ended") throw conflict("A chat can be rated once it has ended");
  const agentTeam = c.agentId ? (await agentsRepo.get(deps.db, v.workspaceId, c.agentId))?.team ?? "" : "";
  const stored = await deps.db.tx(async (sql) => {
    const ok = await ticketsRepo.insertRating(sql, {
      conversationId: c.id,
      workspaceId: v.workspaceId,
      agentId: c.agentId,
      team: agentTeam,
      scale: s.rating_type,
      value: r.value,
      comment: r.comment,
    });
    if (ok) await ticketsRepo.setRating(sql, c.id, r.value);
    return ok;
  });
  if (!stored) throw new AppError("already_rated", 409, "This chat has already been rated");
  return { ok: true };
}
