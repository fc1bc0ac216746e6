/**
 * Who may touch a visitor conversation. A visitor reaches only the conversation of its own secret token;
 * staff need `chat.public_queue`, and to act on a conversation they must hold it. Supervisors with
 * `chat.public_monitor` read every conversation live (read-only: they reply, type, end or transfer only in
 * what they hold). A token whose conversation was left alone longer than the recovery window is
 * refused and the conversation ends.
 */
import { sha256 } from "../auth.ts";
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import type { Actor, Deps } from "../deps.ts";
import { AppError, forbidden, notFound, unauthenticated } from "../errors.ts";
import { readVisitorSettings } from "./settings.ts";
import { expire } from "./lifecycle.ts";
import { TOKEN_RE } from "./token.ts";

/** A visitor, authenticated by its token: one conversation and nothing else. */
export interface VisitorActor {
  conversationId: number;
  workspaceId: number;
  tokenHash: string;
}

export async function authenticateVisitor(
  deps: Deps,
  token: string | null | undefined,
): Promise<VisitorActor> {
  if (!token || !TOKEN_RE.test(token)) throw unauthenticated("A visitor token is needed");
  const tokenHash = await sha256(token);
  const c = await convRepo.byToken(deps.db, tokenHash);
  if (!c) throw unauthenticated("No conversation for this token");
  const expired = () =>
    new AppError("recovery_expired", 410, "This chat has ended: it was left longer than the recovery window");
  if (c.status === "ended" && c.endedBy === "abandoned") throw expired();
  if (c.status !== "ended" && !c.visitorConnected) {
    const s = await readVisitorSettings(deps.db, c.workspaceId);
    const idleMs = deps.now().getTime() - Date.parse(c.visitorSeenAt);
    if (idleMs > s.recovery_minutes * 60_000) {
      await expire(deps, c.workspaceId, c.id);
      throw expired();
    }
  }
  return { conversationId: c.id, workspaceId: c.workspaceId, tokenHash };
}

export function requireQueue(actor: Actor) {
  if (!actor.permissions.has("chat.public_queue") && !actor.permissions.has("chat.public_monitor")) {
    throw forbidden("Answering visitors needs the chat.public_queue permission");
  }
}

/**
 * The conversation, if the staff member may act on it: they hold it (or, with `waitingOk`, it waits for
 * someone). With `read`, monitors may read any conversation of their workspace.
 */
export async function heldConversation(
  deps: Deps,
  actor: Actor,
  id: number,
  opts: { waitingOk?: boolean; read?: boolean } = {},
) {
  requireQueue(actor);
  const c = Number.isSafeInteger(id) ? await convRepo.byId(deps.db, actor.workspaceId, id) : null;
  if (!c) throw notFound("No such visitor conversation");
  const monitor = !!opts.read && actor.permissions.has("chat.public_monitor");
  if (monitor || c.agentId === actor.userId || (opts.waitingOk && c.status === "waiting")) return c;
  throw forbidden("This conversation is held by someone else");
}
