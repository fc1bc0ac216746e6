/** Typing indicators: ephemeral, never stored, rate limited, only for members of the channel. */
import type { Actor, Deps } from "./deps.ts";
import { AppError } from "./errors.ts";
import { readable } from "./access.ts";

export async function setTyping(
  deps: Deps,
  actor: Actor,
  channelId: unknown,
  typing: boolean,
  connId?: string,
) {
  if (typeof channelId !== "number" || !Number.isSafeInteger(channelId) || channelId <= 0) {
    throw new AppError("invalid_input", 400, "channelId: must be a positive integer");
  }
  deps.limiter.take(`typing:${actor.userId}`, deps.config.limits.typingPerMinute, "Too many typing signals");
  const a = await readable(deps.db, actor, channelId);
  if (!a.member) throw new AppError("not_member", 403, "You are not a member of this channel");
  deps.bus.publish([{
    event: { type: "user_typing", channelId, userId: actor.userId, typing },
    audience: { kind: "channel", channelId },
    workspaceId: actor.workspaceId,
    exceptConnection: connId,
  }]);
}
