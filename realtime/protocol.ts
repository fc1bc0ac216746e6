/**
 * The realtime protocol, shared by the server and the browser: the event union, client and server frames,
 * and a pure `applyEvent` reducer. Documented with an example of every frame in `docs/protocol.md`.
 * No Deno or DOM APIs here: this file is bundled into the islands.
 */
import type { PublicSettings } from "../domain/settings/catalog.ts";
import type { Preferences } from "../domain/preferences/catalog.ts";

export type { Preferences, PublicSettings };

export type ChannelKind = "public_channel" | "private_channel" | "direct_message" | "group";
export type MessageType = "text" | "file" | "image" | "system" | "broadcast" | "ticket_link";
export type PresenceStatus = "online" | "away" | "busy" | "offline";

export interface Reaction {
  emoji: string;
  userIds: number[];
}

export type FileKind = "image" | "video" | "audio" | "pdf" | "file";

/** A file carried by a message; its bytes are at `/api/chat/files/{id}` (and `?variant=thumb`). */
export interface Attachment {
  id: number;
  name: string;
  /** Decided from the file's content, not its name. */
  mime: string;
  kind: FileKind;
  size: number;
  width: number | null;
  height: number | null;
  /** Whether a thumbnail exists. */
  thumb: boolean;
}

export interface Message {
  id: number;
  channelId: number;
  seq: number;
  senderId: number | null;
  clientId: string;
  type: MessageType;
  body: string;
  replyTo: number | null;
  replyCount: number;
  mentions: number[];
  reactions: Reaction[];
  /** Files the message carries (absent on messages that never had any); empty once it is deleted. */
  attachments?: Attachment[];
  editedAt: string | null;
  deletedAt: string | null;
  createdAt: string;
}

export interface UserSummary {
  id: number;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface ChannelSummary {
  id: number;
  kind: ChannelKind;
  name: string;
  /** What the sidebar shows to this user: "# general", the other person, or the smart group name. */
  displayName: string;
  description: string;
  readOnly: boolean;
  allowPosting: boolean;
  archived: boolean;
  lastSeq: number;
  lastMessageAt: string | null;
  memberCount: number;
  members?: UserSummary[];
  myRole?: string | null;
  canPost?: boolean;
  lastReadSeq?: number;
  unread?: number;
  mentions?: number;
}

/** Events that change a channel's history. They carry the channel's gap-free sequence number. */
export type SequencedEvent =
  | { type: "message_received"; channelId: number; seq: number; message: Message }
  | { type: "message_updated"; channelId: number; seq: number; message: Message }
  | { type: "message_deleted"; channelId: number; seq: number; messageId: number; deletedAt: string }
  | {
    type: "reaction_added";
    channelId: number;
    seq: number;
    messageId: number;
    userId: number;
    emoji: string;
  }
  | {
    type: "reaction_removed";
    channelId: number;
    seq: number;
    messageId: number;
    userId: number;
    emoji: string;
  };

export interface PresenceInfo {
  userId: number;
  status: PresenceStatus;
  statusText: string;
  awayMessage: string;
  connections: number;
}

/** Events with no sequence number: membership, presence, typing, receipts, counts. */
export type EphemeralEvent =
  | { type: "channel_updated"; channel: ChannelSummary }
  | { type: "channel_removed"; channelId: number }
  | { type: "user_joined"; channelId: number; userId: number }
  | { type: "user_left"; channelId: number; userId: number }
  | { type: "user_typing"; channelId: number; userId: number; typing: boolean }
  /**
   * Presence changes gathered over a short window: one frame for many people. A socket receives only the
   * people it subscribed to (`presence_sub`, or `presenceSub` in the hello).
   */
  | { type: "presence_updated"; users: PresenceInfo[] }
  | { type: "read_receipt"; channelId: number; userId: number; seq: number }
  | {
    type: "unread_counts";
    counts: { channelId: number; unread: number; mentions: number; lastReadSeq: number }[];
  }
  | { type: "resync_required"; channelId: number; reason: string }
  /**
   * The user's workspace role or permissions changed: every socket of theirs, on every instance, re-reads
   * who they are before its next action; the client refetches what it shows.
   */
  | { type: "access_changed"; userId: number }
  | { type: "session_revoked"; reason: string }
  /** A workspace setting pages use changed: every public setting, so a page simply replaces what it holds. */
  | { type: "settings_updated"; settings: PublicSettings }
  /** The person's preferences changed (in another tab, browser, or by a new workspace default). */
  | { type: "preferences_updated"; preferences: Preferences }
  /** An administrator's system broadcast: shown as a banner until the person acknowledges it. */
  | { type: "system_broadcast"; broadcast: BroadcastInfo }
  /** A message event of a conversation this socket watches in Monitor (read-only; not a membership). */
  | { type: "monitor_event"; channelId: number; event: MonitorMessageEvent }
  /**
   * The socket's Monitor watches ended (the person's permissions changed, or the conversation is gone):
   * nothing more arrives until it watches again, which the server checks anew.
   */
  | { type: "monitor_ended"; reason: string }
  | CallEvent;

export type MonitorMessageEvent = Extract<
  SequencedEvent,
  { type: "message_received" | "message_updated" | "message_deleted" }
>;

/** A system broadcast as pages show it. */
export interface BroadcastInfo {
  id: number;
  author: string | null;
  body: string;
  createdAt: string;
}

import type { VisitorEvent } from "./visitor_protocol.ts";
export type { VisitorEvent };

export type ServerEvent = SequencedEvent | EphemeralEvent | VisitorEvent;

// ---- calls (rules in domain/calls.ts, documented in docs/calls.md) ----------------------------------

export type CallMedia = "audio" | "video";
export type CallState = "ringing" | "active" | "ended";
export type CallEndReason = "completed" | "missed" | "declined" | "cancelled";
export type CallParticipantState = "ringing" | "joined" | "left" | "declined" | "missed";

export interface CallParticipant {
  userId: number;
  state: CallParticipantState;
  /** The socket (tab) that is in the call while joined: the other tabs of that person stop ringing. */
  connectionId: string | null;
  joinedAt: string | null;
  leftAt: string | null;
}

export interface CallInfo {
  id: number;
  channelId: number;
  media: CallMedia;
  state: CallState;
  startedBy: number | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  endReason: CallEndReason | null;
  participants: CallParticipant[];
}

/** WebRTC signaling relayed between two joined participants; the server never looks inside the SDP. */
export type CallSignal =
  | { kind: "offer" | "answer"; sdp: string }
  | { kind: "ice"; candidate: IceCandidate | null }
  /** Screen share and camera state, so the other side can label tiles without parsing SDP. */
  | { kind: "media"; audio: boolean; video: boolean; screen: "off" | "replace" | "beside" };

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export type CallEvent =
  /** Any change of a live call (ringing, joins, leaves, the end), to every member of its conversation. */
  | { type: "call_updated"; call: CallInfo }
  /** To the one socket of `toUserId` that is in the call. */
  | { type: "call_signal"; callId: number; fromUserId: number; signal: CallSignal };

export const SEQUENCED_TYPES = new Set<ServerEvent["type"]>([
  "message_received",
  "message_updated",
  "message_deleted",
  "reaction_added",
  "reaction_removed",
]);

export function isSequenced(e: ServerEvent): e is SequencedEvent {
  return SEQUENCED_TYPES.has(e.type);
}

/** Who receives an event. The hub resolves it against its connections; it never asks the database. */
export type Audience =
  | { kind: "channel"; channelId: number }
  | { kind: "users"; userIds: number[] }
  | { kind: "workspace"; workspaceId: number }
  /** A visitor's own connections to one conversation (the visitor hub; the staff hub ignores it). */
  | { kind: "visitor"; conversationId: number }
  /** One socket, wherever it is connected (call signaling). */
  | { kind: "connection"; connectionId: string }
  /**
   * `presence_updated` only: each socket subscribed to some of the people listed (in the envelope's
   * workspace) gets a copy listing just those people.
   */
  | { kind: "presence_subscribers" };

export interface Envelope {
  event: ServerEvent;
  audience: Audience;
  workspaceId: number;
  /** The connection that caused it, when it should not get its own echo (typing). */
  exceptConnection?: string;
}

// ---- frames ------------------------------------------------------------------------------------

/** Frames a client sends. Every one carries a request id `id`, answered by an ack or an error. */
export type ClientFrame =
  /**
   * `presenceSub` replaces the socket's presence subscription (as `presence_sub` does) and puts those
   * people's presence in the ack; `presence: true` alone puts the current subscription's presence there.
   */
  | {
    id: string;
    action: "hello";
    channels?: Record<string, number>;
    page?: string;
    presence?: boolean;
    presenceSub?: number[];
  }
  /**
   * Replaces the socket's presence subscription: `presence_updated` then brings changes of these people
   * only (at most 500; people of other workspaces are ignored). Acks `{ presence }`, their presence now.
   */
  | { id: string; action: "presence_sub"; userIds: number[] }
  | { id: string; action: "ping" }
  | {
    id: string;
    action: "send_message";
    channelId: number;
    clientId: string;
    body: string;
    replyTo?: number | null;
    attachments?: number[];
  }
  | { id: string; action: "edit_message"; messageId: number; body: string }
  | { id: string; action: "delete_message"; messageId: number }
  | { id: string; action: "add_reaction"; messageId: number; emoji: string }
  | { id: string; action: "remove_reaction"; messageId: number; emoji: string }
  | { id: string; action: "join_channel"; channelId: number }
  | { id: string; action: "leave_channel"; channelId: number }
  | { id: string; action: "typing_start"; channelId: number }
  | { id: string; action: "typing_stop"; channelId: number }
  | {
    id: string;
    action: "update_presence";
    status?: PresenceStatus;
    statusText?: string;
    awayMessage?: string;
    page?: string;
  }
  | { id: string; action: "message_read"; channelId: number; seq: number }
  /** Changes some of the person's preferences; `null` goes back to the workspace default. */
  | {
    id: string;
    action: "update_preferences";
    preferences: { [K in keyof Preferences]?: Preferences[K] | null };
  }
  | { id: string; action: "replay"; channelId: number; afterSeq: number }
  /**
   * Monitor (chat.monitor_all): watch a conversation read-only (`channelId`), or every conversation of the
   * workspace (`channelId: 0`); audited. Acks `{ ok: true }`; `monitor_event`s follow.
   */
  | { id: string; action: "monitor_watch"; channelId: number }
  | { id: string; action: "monitor_unwatch"; channelId: number }
  | CallFrame
  | VisitorStaffFrame;

/**
 * Visitor chat on the staff socket, for a visitor conversation the agent holds: a reply (or internal note,
 * `note: true`), as `POST /api/visitors/conversations/:id/messages`, acks `{ message }`; typing, as
 * `…/typing`, and "seen up to `seq`", as `…/seen`, each ack `{ ok: true }`.
 */
export type VisitorStaffFrame =
  | {
    id: string;
    action: "visitor_send";
    conversationId: number;
    clientId: string;
    body: string;
    note?: boolean;
  }
  | { id: string; action: "visitor_typing"; conversationId: number; typing: boolean }
  | { id: string; action: "visitor_seen"; conversationId: number; seq: number };

/** Call actions; each acks with `{ call }` (and `connectionId`, the socket's own id) unless noted. */
export type CallFrame =
  | { id: string; action: "call_start"; channelId: number; media: CallMedia }
  /** Accept a ringing call or join an ongoing one; acks with the peers to send offers to. */
  | { id: string; action: "call_join"; callId: number }
  | { id: string; action: "call_decline"; callId: number }
  | { id: string; action: "call_leave"; callId: number }
  /** After a reconnect: this new socket takes over the person's place in the call. */
  | { id: string; action: "call_rejoin"; callId: number }
  | { id: string; action: "call_signal"; callId: number; toUserId: number; signal: CallSignal }
  /** Live calls in my conversations (acks `{ calls, connectionId }`). */
  | { id: string; action: "call_list" };

export type ClientAction = ClientFrame["action"];

export interface ErrorBody {
  code: string;
  message: string;
  retryAfter?: number;
}

/** Frames the server sends: `ready` once after connect, acks and errors for requests, and events. */
export type ServerFrame =
  | { type: "ready"; connectionId: string; userId: number; heartbeatMs: number }
  | { type: "ack"; id: string; data: unknown }
  | { type: "error"; id: string | null; error: ErrorBody }
  | ServerEvent;

// ---- the reducer -------------------------------------------------------------------------------

/** What a client holds per channel: messages by id in sequence order and the last applied sequence. */
export interface ChannelState {
  lastSeq: number;
  messages: Message[];
}

export type ChatState = Record<number, ChannelState>;

/**
 * Applies one sequenced event to a channel's state. Pure: returns a new state, or the same object when the
 * event is old (already applied). Callers detect gaps with `needsReplay` before applying.
 */
export function applyEvent(state: ChatState, e: ServerEvent): ChatState {
  if (!isSequenced(e)) return state;
  const ch = state[e.channelId] ?? { lastSeq: 0, messages: [] };
  if (e.seq <= ch.lastSeq) return state;
  let messages = ch.messages;
  const patch = (id: number, fn: (m: Message) => Message) => {
    messages = messages.map((m) => (m.id === id ? fn(m) : m));
  };
  switch (e.type) {
    case "message_received":
      if (!messages.some((m) => m.id === e.message.id)) messages = [...messages, e.message];
      if (e.message.replyTo != null) {
        patch(e.message.replyTo, (m) => ({ ...m, replyCount: m.replyCount + 1 }));
      }
      break;
    case "message_updated":
      patch(e.message.id, () => e.message);
      break;
    case "message_deleted":
      patch(e.messageId, (m) => ({ ...m, body: "", mentions: [], deletedAt: e.deletedAt, reactions: [] }));
      break;
    case "reaction_added":
      patch(e.messageId, (m) => ({ ...m, reactions: addReaction(m.reactions, e.emoji, e.userId) }));
      break;
    case "reaction_removed":
      patch(e.messageId, (m) => ({ ...m, reactions: removeReaction(m.reactions, e.emoji, e.userId) }));
      break;
  }
  return { ...state, [e.channelId]: { lastSeq: e.seq, messages } };
}

/** True when applying `e` would skip sequence numbers the client has not seen. */
export function needsReplay(state: ChatState, e: ServerEvent): boolean {
  if (!isSequenced(e)) return false;
  const last = state[e.channelId]?.lastSeq;
  return last !== undefined && e.seq > last + 1;
}

export function addReaction(list: Reaction[], emoji: string, userId: number): Reaction[] {
  const found = list.find((r) => r.emoji === emoji);
  if (!found) return [...list, { emoji, userIds: [userId] }];
  if (found.userIds.includes(userId)) return list;
  return list.map((r) => (r.emoji === emoji ? { emoji, userIds: [...r.userIds, userId] } : r));
}

export function removeReaction(list: Reaction[], emoji: string, userId: number): Reaction[] {
  return list
    .map((r) => (r.emoji === emoji ? { emoji, userIds: r.userIds.filter((u) => u !== userId) } : r))
    .filter((r) => r.userIds.length > 0);
}
