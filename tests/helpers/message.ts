/**
 * A plain text message as the protocol carries it, for tests (and the in-process fan-out benches) that need
 * one without a database: number `seq` in channel 1 from user 1, body `m<seq>`; `extra` overrides any field.
 */
import type { Message } from "../../realtime/protocol.ts";

export function textMessage(seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: seq,
    channelId: 1,
    seq,
    senderId: 1,
    clientId: `k${seq}`,
    type: "text",
    body: `m${seq}`,
    replyTo: null,
    replyCount: 0,
    mentions: [],
    reactions: [],
    editedAt: null,
    deletedAt: null,
    createdAt: new Date(0).toISOString(),
    ...extra,
  };
}
