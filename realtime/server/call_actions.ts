/** The gateway's call actions (realtime/protocol.ts `CallFrame`): each calls domain/calls.ts with its socket id. */
import * as calls from "../../domain/calls.ts";
import type { CallFrame } from "../protocol.ts";
import type { ActionContext } from "./actions.ts";

type Handler = (ctx: ActionContext) => Promise<unknown>;

function input(frame: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, action: _action, ...rest } = frame;
  return rest;
}

export const CALL_ACTIONS: Record<CallFrame["action"], Handler> = {
  call_start: async ({ deps, actor, conn, frame }) => ({
    call: await calls.start(deps, actor, conn.id, input(frame)),
    connectionId: conn.id,
  }),
  call_join: async ({ deps, actor, conn, frame }) => ({
    ...(await calls.join(deps, actor, conn.id, input(frame))),
    connectionId: conn.id,
  }),
  call_decline: async ({ deps, actor, frame }) => ({ call: await calls.decline(deps, actor, input(frame)) }),
  call_leave: async ({ deps, actor, frame }) => ({ call: await calls.leave(deps, actor, input(frame)) }),
  call_rejoin: async ({ deps, actor, conn, frame }) => ({
    ...(await calls.rejoin(deps, actor, conn.id, input(frame))),
    connectionId: conn.id,
  }),
  call_signal: async ({ deps, actor, conn, frame }) => {
    await calls.signal(deps, actor, conn.id, input(frame));
    return { ok: true };
  },
  call_list: async ({ deps, actor, conn }) => ({
    calls: await calls.live(deps, actor),
    connectionId: conn.id,
  }),
};
