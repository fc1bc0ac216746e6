/**
 * Messages, typing and "seen" in a visitor conversation, for both sides. The visitor's messages go to the
 * visitor's tabs and the holding agent; the agent's replies too; internal notes only to staff.
 */
import { z } from "zod";
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import type { Actor, Deps } from "../deps.ts";
import { conflict } from "../errors.ts";
import { parse } from "../validate.ts";
import type { VisitorActor } from "./access.ts";
import { heldConversation, requireQueue } from "./access.ts";
import { staffAudience, toVisitor, visitorTx } from "./publish.ts";

const buildSendInput = (maxChars: number) =>
  z.object({
    clientId: z.string().min(1).max(64),
    body: z.string().trim().min(1, "may not be empty").max(maxChars),
  }).strict();
const sendInputs = new Map<number, ReturnType<typeof buildSendInput>>();

/**
 * A message from either side; `clientId` makes a retry return the stored message instead of a second one.
 * Built once per limit: a new zod schema per message cost more server time than the rest of the send (its
 * construction, and zod compiling the object's parser at its first parse).
 */
export function SendInput(maxChars: number) {
  let s = sendInputs.get(maxChars);
  if (!s) sendInputs.set(maxChars, s = buildSendInput(maxChars));
  return s;
}

/**
 * A visitor's message: stored with the others arriving at the same time (`message_batch.ts`); what the
 * batch leaves out (chat ended, a retry) goes the one-at-a-time way, which refuses or returns the stored one.
 */
export async function visitorSend(deps: Deps, v: VisitorActor, input: unknown, ip = "") {
  const m = parse(SendInput(deps.config.limits.messageChars), input);
  deps.limiter.take(`visitor-send:${v.conversationId}`, 60, "Too many messages");
  if (ip) deps.limiter.take(`visitor-send-ip:${ip}`, 300, "Too many messages from this address");
  const o = await deps.visitorBatcher.submit({
    workspaceId: v.workspaceId,
    conversationId: v.conversationId,
    kind: "visitor",
    authorId: null,
    authorName: "",
    clientId: m.clientId,
    body: m.body,
  });
  if (o.stored) return { message: o.message };
  return await visitorTx(deps, async (sql, emit) => {
    const c = await convRepo.byId(sql, v.workspaceId, v.conversationId);
    if (!c || c.status === "ended") throw conflict("This chat has ended");
    const r = await convRepo.insertMessage(sql, {
      conversationId: c.id,
      workspaceId: c.workspaceId,
      kind: "visitor",
      authorId: null,
      authorName: c.name || "Visitor",
      clientId: m.clientId,
      body: m.body,
      seenBy: "visitor",
    });
    if (r.created) {
      const e = { type: "visitor_message" as const, conversationId: c.id, message: r.message };
      emit(c.workspaceId, e, toVisitor(c.id));
      emit(c.workspaceId, e, await staffAudience(sql, c.workspaceId, c.agentId));
    }
    return { message: r.message };
  });
}

/** An agent's reply (or internal note, also after the chat ended) in a conversation they hold; batched too. */
export async function agentSend(
  deps: Deps,
  actor: Actor,
  conversationId: number,
  input: unknown,
  note = false,
) {
  const m = parse(SendInput(deps.config.limits.messageChars), input);
  deps.limiter.take(`sends:${actor.userId}`, deps.config.limits.sendsPerMinute, "Too many messages");
  requireQueue(actor);
  if (Number.isSafeInteger(conversationId)) {
    // The statement checks that the agent holds the conversation (of their workspace) and, for a reply,
    // that it has not ended; anything else is explained below.
    const o = await deps.visitorBatcher.submit({
      workspaceId: actor.workspaceId,
      conversationId,
      kind: note ? "note" : "agent",
      authorId: actor.userId,
      authorName: actor.displayName,
      clientId: m.clientId,
      body: m.body,
    });
    if (o.stored) return { message: o.message };
  }
  const c = await heldConversation(deps, actor, conversationId);
  if (c.status === "ended" && !note) throw conflict("This chat has ended");
  return await visitorTx(deps, async (sql, emit) => {
    const r = await convRepo.insertMessage(sql, {
      conversationId: c.id,
      workspaceId: c.workspaceId,
      kind: note ? "note" : "agent",
      authorId: actor.userId,
      authorName: actor.displayName,
      clientId: m.clientId,
      body: m.body,
      seenBy: note ? undefined : "agent",
    });
    if (r.created) {
      const e = { type: "visitor_message" as const, conversationId: c.id, message: r.message };
      if (!note) emit(c.workspaceId, e, toVisitor(c.id));
      emit(c.workspaceId, e, await staffAudience(sql, c.workspaceId, c.agentId, actor.userId));
    }
    return { message: r.message };
  });
}

export async function visitorTyping(deps: Deps, v: VisitorActor, typing: boolean) {
  deps.limiter.take(
    `visitor-typing:${v.conversationId}`,
    deps.config.limits.typingPerMinute,
    "Too many typing updates",
  );
  const c = await convRepo.byId(deps.db, v.workspaceId, v.conversationId);
  if (!c || c.status === "ended" || !c.agentId) return { ok: true };
  deps.bus.publish([{
    event: { type: "visitor_typing", conversationId: c.id, who: "visitor", typing: !!typing },
    audience: await staffAudience(deps.db, c.workspaceId, c.agentId),
    workspaceId: c.workspaceId,
  }]);
  return { ok: true };
}

export async function agentTyping(deps: Deps, actor: Actor, conversationId: number, typing: boolean) {
  deps.limiter.take(`typing:${actor.userId}`, deps.config.limits.typingPerMinute, "Too many typing updates");
  const c = await heldConversation(deps, actor, conversationId);
  if (c.status === "ended") return { ok: true };
  deps.bus.publish([{
    event: { type: "visitor_typing", conversationId: c.id, who: "agent", typing: !!typing },
    audience: toVisitor(c.id),
    workspaceId: c.workspaceId,
  }]);
  return { ok: true };
}

const seqOf = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** The visitor has seen the conversation up to `seq`: one statement; the holder is told. */
export async function visitorSeen(deps: Deps, v: VisitorActor, seq: unknown) {
  const r = await convRepo.setSeen(deps.db, v.workspaceId, v.conversationId, "visitor", seqOf(seq));
  if (r?.agentId) {
    deps.bus.publish([{
      event: { type: "visitor_seen", conversationId: v.conversationId, who: "visitor", seq: r.seq },
      audience: { kind: "users", userIds: [r.agentId] },
      workspaceId: v.workspaceId,
    }]);
  }
  return { ok: true };
}

/**
 * The holding agent has seen the conversation up to `seq`: one statement, which also checks that they hold
 * it; when it finds nothing, the holder check explains why (403, 404). The visitor is told.
 */
export async function agentSeen(deps: Deps, actor: Actor, conversationId: number, seq: unknown) {
  requireQueue(actor);
  const set = () =>
    Number.isSafeInteger(conversationId)
      ? convRepo.setSeen(deps.db, actor.workspaceId, conversationId, "agent", seqOf(seq), actor.userId)
      : Promise.resolve(null);
  let r = await set();
  if (!r) {
    await heldConversation(deps, actor, conversationId);
    r = await set(); // they hold it now (claimed meanwhile)
    if (!r) return { ok: true };
  }
  deps.bus.publish([{
    event: { type: "visitor_seen", conversationId, who: "agent", seq: r.seq },
    audience: toVisitor(conversationId),
    workspaceId: actor.workspaceId,
  }]);
  return { ok: true };
}
