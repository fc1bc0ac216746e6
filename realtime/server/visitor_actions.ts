/**
 * Visitor-chat actions on the staff WebSocket (realtime/protocol.ts `VisitorStaffFrame`): an agent's reply or
 * internal note, typing and "seen" go over the socket they already hold, like a staff message, instead of a
 * REST request with its own session look-up. Each calls the same domain function as its REST endpoint
 * (`POST /api/visitors/conversations/:id/messages`, `…/typing`, `…/seen`), which checks the permission,
 * the holder, the workspace and whether the chat has ended.
 */
import { z } from "zod";
import * as chat from "../../domain/visitor/chat.ts";
import type { VisitorStaffFrame } from "../protocol.ts";
import type { ActionContext } from "./actions.ts";

type Handler = (ctx: ActionContext) => Promise<unknown>;

const id = z.string().max(64);

/** Frame shapes for `frames.ts`; the domain checks the values (client id, body length, who may write). */
export const VISITOR_FRAME_SCHEMAS: Record<VisitorStaffFrame["action"], z.ZodType> = {
  visitor_send: z.strictObject({
    id,
    action: z.literal("visitor_send"),
    conversationId: z.number().int(),
    clientId: z.unknown(),
    body: z.unknown(),
    note: z.boolean().optional(),
  }),
  visitor_typing: z.strictObject({
    id,
    action: z.literal("visitor_typing"),
    conversationId: z.number().int(),
    typing: z.boolean(),
  }),
  visitor_seen: z.strictObject({
    id,
    action: z.literal("visitor_seen"),
    conversationId: z.number().int(),
    seq: z.number().int().nonnegative(),
  }),
};

export const VISITOR_ACTIONS: Record<VisitorStaffFrame["action"], Handler> = {
  visitor_send: async ({ deps, actor, frame }) =>
    await chat.agentSend(
      deps,
      actor,
      frame.conversationId as number,
      { clientId: frame.clientId, body: frame.body },
      frame.note === true,
    ),
  visitor_typing: async ({ deps, actor, frame }) =>
    await chat.agentTyping(deps, actor, frame.conversationId as number, frame.typing === true),
  visitor_seen: async ({ deps, actor, frame }) =>
    await chat.agentSeen(deps, actor, frame.conversationId as number, frame.seq),
};
