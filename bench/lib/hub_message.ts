/**
 * A plain text message as the hub fans it out, for the in-process fan-out benches (`fanout_loop.ts`,
 * `fanout_burst.ts`): the shape and about the size of a real `message_received`'s message.
 */
import type { Message } from "../../realtime/protocol.ts";
import { textMessage } from "../../tests/helpers/message.ts";

export function hubMessage(channelId: number, seq: number, body: string): Message {
  return textMessage(seq, { channelId, clientId: `cid-${seq}`, body, createdAt: new Date().toISOString() });
}
