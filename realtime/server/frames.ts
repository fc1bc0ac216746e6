/**
 * The shape of every client frame, checked whole with zod before any handler sees it: the envelope (`id`,
 * `action`) and each action's fields with their types. A malformed frame gets `bad_frame` (no usable id
 * or action) or `invalid_input` (a field of the wrong type, an unknown field), never an internal error.
 * The domain still checks the values (limits, formats, permissions); this is the transport's type check.
 */
import { z } from "zod";
import { AppError } from "../../domain/errors.ts";
import { parse } from "../../domain/validate.ts";
import type { ClientAction, ClientFrame } from "../protocol.ts";
import { CALL_FRAME_SCHEMAS } from "./call_frames.ts";
import { VISITOR_FRAME_SCHEMAS } from "./visitor_actions.ts";

const id = z.string().max(64);
const ref = z.number().int();
const text = z.string().max(1_000_000);

/** Each action's frame; `ping` alone ignores extra fields (clients pad it to probe size limits). */
export const SCHEMAS: Record<ClientAction, z.ZodType> = {
  hello: z.strictObject({
    id,
    action: z.literal("hello"),
    channels: z.record(z.string().regex(/^\d{1,16}$/, "channel ids"), z.number().int().nonnegative())
      .refine((o) => Object.keys(o).length <= 5000, "at most 5000 channels").optional(),
    page: z.string().max(2000).optional(),
    presence: z.boolean().optional(),
    presenceSub: z.array(ref).optional(),
  }),
  presence_sub: z.strictObject({ id, action: z.literal("presence_sub"), userIds: z.array(ref) }),
  ping: z.looseObject({ id, action: z.literal("ping") }),
  send_message: z.strictObject({
    id,
    action: z.literal("send_message"),
    channelId: ref,
    clientId: z.string().max(200),
    body: text,
    replyTo: ref.nullish(),
    type: z.string().max(40).optional(),
  }),
  edit_message: z.strictObject({ id, action: z.literal("edit_message"), messageId: ref, body: text }),
  delete_message: z.strictObject({ id, action: z.literal("delete_message"), messageId: ref }),
  add_reaction: z.strictObject({
    id,
    action: z.literal("add_reaction"),
    messageId: ref,
    emoji: z.string().max(200),
  }),
  remove_reaction: z.strictObject({
    id,
    action: z.literal("remove_reaction"),
    messageId: ref,
    emoji: z.string().max(200),
  }),
  join_channel: z.strictObject({ id, action: z.literal("join_channel"), channelId: ref }),
  leave_channel: z.strictObject({ id, action: z.literal("leave_channel"), channelId: ref }),
  typing_start: z.strictObject({ id, action: z.literal("typing_start"), channelId: ref }),
  typing_stop: z.strictObject({ id, action: z.literal("typing_stop"), channelId: ref }),
  update_presence: z.strictObject({
    id,
    action: z.literal("update_presence"),
    status: z.string().max(40).optional(),
    statusText: z.string().max(1000).optional(),
    awayMessage: z.string().max(1000).optional(),
    page: z.string().max(2000).optional(),
  }),
  message_read: z.strictObject({ id, action: z.literal("message_read"), channelId: ref, seq: ref }),
  // The values are checked by the preferences registry (domain/preferences/).
  update_preferences: z.strictObject({
    id,
    action: z.literal("update_preferences"),
    preferences: z.record(z.string().max(100), z.unknown()),
  }),
  replay: z.strictObject({ id, action: z.literal("replay"), channelId: ref, afterSeq: ref }),
  monitor_watch: z.strictObject({ id, action: z.literal("monitor_watch"), channelId: ref }),
  monitor_unwatch: z.strictObject({ id, action: z.literal("monitor_unwatch"), channelId: ref }),
  ...CALL_FRAME_SCHEMAS,
  ...VISITOR_FRAME_SCHEMAS,
};

/**
 * The request id of a decoded frame, or null when it has none usable (the error frame then carries null).
 */
export function frameId(frame: Record<string, unknown>): string | null {
  return typeof frame.id === "string" && frame.id.length <= 64 ? frame.id : null;
}

/** Checks a decoded JSON object as a client frame: unknown actions and wrongly typed fields are refused. */
export function parseFrame(frame: Record<string, unknown>): ClientFrame {
  const action = frame.action;
  if (typeof action !== "string") throw new AppError("bad_frame", 400, "action: a string naming the action");
  if (!Object.hasOwn(SCHEMAS, action)) {
    throw new AppError("unknown_action", 400, `Unknown action ${JSON.stringify(action.slice(0, 60))}`);
  }
  if (action === "send_message" && plainSendFrame(frame)) return frame as unknown as ClientFrame;
  return parse(SCHEMAS[action as ClientAction], frame) as ClientFrame;
}

const short = (v: unknown, max: number) => typeof v === "string" && v.length <= max && !v.includes("\u0000");

/**
 * A `send_message` frame its schema accepts as it is (an id, the channel, the client id, the body and at most
 * a `type`; no NUL): its check would only copy it, so it is taken as it is. Anything else goes through the
 * schema (zod's parse was most of a frame's allocation: bench/notes/allocation_per_message.md).
 */
export function plainSendFrame(f: Record<string, unknown>): boolean {
  for (const k in f) {
    if (
      k !== "id" && k !== "action" && k !== "channelId" && k !== "clientId" && k !== "body" && k !== "type"
    ) {
      return false;
    }
  }
  return Object.getPrototypeOf(f) === Object.prototype && short(f.id, 64) &&
    Number.isSafeInteger(f.channelId) &&
    short(f.clientId, 200) && short(f.body, 1_000_000) && (f.type === undefined || short(f.type, 40));
}
