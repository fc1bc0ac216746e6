/**
 * A plain text message as the hub fans it out, for the in-process fan-out benches (`fanout_loop.ts`,
 * `fanout_burst.ts`): the shape and about the size of a real `message_received`'s message.
 */
import type { Message } from "../../realtime/protocol.ts";

export function hubMessage(channelId: number, seq: number, body: string): Message {
  return {
    id: seq,
    channelId,
    seq,
    senderId: 1,
    clientId: `cid-${seq}`,
    type: "text",
    body,
    replyTo: null,
    replyCount: 0,
    mentions: [],
    reactions: [],
    editedAt: null,
    deletedAt: null,
    createdAt: new Date().toISOString(),
  };
}
