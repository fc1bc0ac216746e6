/** Frame shapes of the call actions, for `frames.ts`; domain/calls.ts checks the values (and the signal). */
import { z } from "zod";
import type { CallFrame } from "../protocol.ts";

const id = z.string().max(64);
const ref = z.number().int();
const byCall = <A extends string>(action: A) =>
  z.strictObject({ id, action: z.literal(action), callId: ref });

export const CALL_FRAME_SCHEMAS: Record<CallFrame["action"], z.ZodType> = {
  call_start: z.strictObject({
    id,
    action: z.literal("call_start"),
    channelId: ref,
    media: z.string().max(10),
  }),
  call_join: byCall("call_join"),
  call_decline: byCall("call_decline"),
  call_leave: byCall("call_leave"),
  call_rejoin: byCall("call_rejoin"),
  call_signal: z.strictObject({
    id,
    action: z.literal("call_signal"),
    callId: ref,
    toUserId: ref,
    signal: z.record(z.string().max(40), z.unknown()),
  }),
  call_list: z.strictObject({ id, action: z.literal("call_list") }),
};
