/**
 * The gateway's action table: each client frame action calls the same domain function the REST API calls.
 * Frames are checked for shape here (id and action); the domain validates the rest.
 */
import * as messages from "../../domain/messages.ts";
import * as channels from "../../domain/channels.ts";
import * as presence from "../../domain/presence.ts";
import * as preferences from "../../domain/preferences/user.ts";
import { setTyping } from "../../domain/typing.ts";
import { openWatch } from "../../domain/admin/monitor.ts";
import { CALL_ACTIONS } from "./call_actions.ts";
import { VISITOR_ACTIONS } from "./visitor_actions.ts";
import { followPresence } from "./presence_sub.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import { invalid } from "../../domain/errors.ts";
import type { ClientAction } from "../protocol.ts";
import type { Connection, Hub } from "./hub.ts";

export interface ActionContext {
  deps: Deps;
  hub: Hub;
  actor: Actor;
  conn: Connection;
  frame: Record<string, unknown>;
}

type Handler = (ctx: ActionContext) => Promise<unknown>;

/** The frame without its envelope fields, as the domain input. */
function input(frame: Record<string, unknown>, ...omit: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in frame) {
    if (k !== "id" && k !== "action" && Object.hasOwn(frame, k) && !omit.includes(k)) out[k] = frame[k];
  }
  return out;
}

const num = (v: unknown): number => (typeof v === "number" ? v : NaN);

export const ACTIONS: Record<Exclude<ClientAction, "hello">, Handler> = {
  ping: () => Promise.resolve({ pong: Date.now() }),
  // No async wrapper of its own: the hottest action, and `messages.send` gives the promise already.
  send_message: ({ deps, actor, frame }) => messages.send(deps, actor, input(frame)),
  edit_message: async ({ deps, actor, frame }) => ({
    message: await messages.edit(
      deps,
      actor,
      positive(frame.messageId, "messageId"),
      input(frame, "messageId"),
    ),
  }),
  delete_message: async ({ deps, actor, frame }) => {
    await messages.remove(deps, actor, positive(frame.messageId, "messageId"));
    return { ok: true };
  },
  add_reaction: async ({ deps, actor, frame }) => {
    await messages.react(
      deps,
      actor,
      positive(frame.messageId, "messageId"),
      input(frame, "messageId"),
      true,
    );
    return { ok: true };
  },
  remove_reaction: async ({ deps, actor, frame }) => {
    await messages.react(
      deps,
      actor,
      positive(frame.messageId, "messageId"),
      input(frame, "messageId"),
      false,
    );
    return { ok: true };
  },
  join_channel: async ({ deps, actor, frame }) => ({
    channel: await channels.join(deps, actor, positive(frame.channelId, "channelId")),
  }),
  leave_channel: async ({ deps, actor, frame }) => {
    await channels.leave(deps, actor, positive(frame.channelId, "channelId"));
    return { ok: true };
  },
  typing_start: async ({ deps, actor, conn, frame }) => {
    await setTyping(deps, actor, frame.channelId, true, conn.id);
    return { ok: true };
  },
  typing_stop: async ({ deps, actor, conn, frame }) => {
    await setTyping(deps, actor, frame.channelId, false, conn.id);
    return { ok: true };
  },
  update_presence: async ({ deps, actor, conn, frame }) => {
    const r = await presence.update(deps, actor, conn.id, input(frame));
    if (typeof frame.page === "string") conn.page = frame.page.slice(0, 300);
    return r;
  },
  presence_sub: async ({ deps, hub, actor, conn, frame }) => ({
    presence: await followPresence(deps, hub, actor, conn, presence.subscriptionIds(frame.userIds)),
  }),
  update_preferences: async ({ deps, actor, conn, frame }) =>
    await preferences.update(deps, actor, frame.preferences, conn.id),
  message_read: async ({ deps, actor, frame }) =>
    await messages.markRead(deps, actor, positive(frame.channelId, "channelId"), input(frame, "channelId")),
  replay: async ({ deps, actor, frame }) => {
    const channelId = positive(frame.channelId, "channelId");
    const after = num(frame.afterSeq);
    if (!Number.isSafeInteger(after) || after < 0) throw invalid("afterSeq: must be a non-negative integer");
    const events = await messages.eventsSince(deps, actor, channelId, after);
    return events === null ? { channelId, resync: true } : { channelId, events };
  },
  monitor_watch: async ({ deps, hub, actor, conn, frame }) => {
    const channelId = num(frame.channelId);
    if (!Number.isSafeInteger(channelId) || channelId < 0) throw invalid("channelId: 0 or a conversation id");
    await openWatch(deps, actor, { ip: conn.address }, channelId);
    conn.mayMonitor = true;
    hub.watch(conn, channelId);
    return { ok: true };
  },
  monitor_unwatch: ({ hub, conn, frame }) => {
    hub.unwatch(conn, num(frame.channelId));
    return Promise.resolve({ ok: true });
  },
  ...CALL_ACTIONS,
  ...VISITOR_ACTIONS,
};

function positive(v: unknown, name: string): number {
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return v;
  throw invalid(`${name}: must be a positive integer`);
}
