/**
 * Visitor chat events and frames, shared by the server, the visitor widget and the staff "Visitors" panel.
 * No Deno or DOM APIs: bundled into the islands. Visitor events are not channel-sequenced (they carry their
 * conversation's own `seq`); a visitor client that reconnects reloads its conversation over REST.
 */

export type VisitorStatus = "waiting" | "active" | "ended";
export type VisitorMessageKind = "visitor" | "agent" | "system" | "note";

export interface VisitorMessage {
  id: number;
  conversationId: number;
  seq: number;
  kind: VisitorMessageKind;
  authorName: string;
  clientId: string;
  body: string;
  createdAt: string;
  /** A file the visitor attached (the message's body is its name); null for text. */
  file?: VisitorAttachment | null;
}

/** A visitor attachment: read at /api/visitor/files/:id (the visitor) or /api/visitors/files/:id (staff). */
export interface VisitorAttachment {
  id: number;
  name: string;
  mime: string;
  kind: "image" | "video" | "audio" | "pdf" | "file";
  size: number;
  width: number | null;
  height: number | null;
  thumb: boolean;
}

/** What the visitor sees of their conversation: no staff-only fields (notes, emails, internal ids). */
export interface VisitorView {
  id: number;
  status: VisitorStatus;
  name: string;
  topic: string;
  agentName: string | null;
  /** 1 for the next in line; null when not waiting. */
  position: number | null;
  waitSeconds: number | null;
  lastSeq: number;
  agentSeenSeq: number;
  rated: boolean;
  ticketId: number | null;
  messages: VisitorMessage[];
}

/** A conversation as staff see it in the Visitors panel. */
export interface StaffConversation {
  id: number;
  status: VisitorStatus;
  name: string;
  email: string;
  phone: string;
  topic: string;
  answers: Record<string, string>;
  page: string;
  userAgent: string;
  agentId: number | null;
  agentName: string | null;
  team: string;
  queuedAt: string;
  assignedAt: string | null;
  endedAt: string | null;
  lastSeq: number;
  visitorSeenSeq: number;
  visitorOnline: boolean;
  escalationChannelId: number | null;
  ticketId: number | null;
}

export type VisitorEvent =
  /** To the visitor (not notes) and to the agent holding it. */
  | { type: "visitor_message"; conversationId: number; message: VisitorMessage }
  | { type: "visitor_typing"; conversationId: number; who: "visitor" | "agent"; typing: boolean }
  | { type: "visitor_seen"; conversationId: number; who: "visitor" | "agent"; seq: number }
  /** To the visitor: status, agent, place in line and estimated wait changed. */
  | {
    type: "visitor_status";
    conversationId: number;
    status: VisitorStatus;
    agentName: string | null;
    position: number | null;
    waitSeconds: number | null;
    ticketId: number | null;
  }
  /** To staff who may answer visitors: the queue or someone's held conversations changed; refetch. */
  | { type: "visitor_queue_changed"; workspaceId: number; conversationId: number | null }
  /** To the visitor's own tabs of this browser: an agent ended it, a tab ended it. */
  | { type: "visitor_ended"; conversationId: number; by: "visitor" | "agent" | "system" };

export const VISITOR_EVENT_TYPES = new Set<VisitorEvent["type"]>([
  "visitor_message",
  "visitor_typing",
  "visitor_seen",
  "visitor_status",
  "visitor_queue_changed",
  "visitor_ended",
]);

/** Frames the visitor's socket sends; the first must be `auth`. Each is answered by an ack or an error. */
export type VisitorClientFrame =
  | { id: string; action: "auth"; token: string }
  | { id: string; action: "ping" }
  | { id: string; action: "send"; clientId: string; body: string }
  | { id: string; action: "typing"; typing: boolean }
  | { id: string; action: "seen"; seq: number };

/** Applies a message to a list kept in sequence order, once. */
export function addVisitorMessage(list: VisitorMessage[], m: VisitorMessage): VisitorMessage[] {
  if (list.some((x) => x.id === m.id)) return list;
  const out = [...list, m];
  out.sort((a, b) => a.seq - b.seq);
  return out;
}

/** The workspace settings a visitor's browser receives (`GET /api/visitor/config`). */
export interface PublicVisitorSettings {
  enabled: boolean;
  prechat_fields: {
    key: "name" | "email" | "phone" | "topic" | "message";
    label: string;
    required: boolean;
  }[];
  topics: string[];
  consent_text: string;
  greeting: string;
  offline_text: string;
  recovery_minutes: number;
  rating_type: "stars" | "number" | "thumbs" | "off";
  attachments: boolean;
  look: {
    shape: "circle" | "rounded" | "square";
    color: string;
    position: "bottom-right" | "bottom-left";
    animation: "none" | "bounce" | "pulse" | "slide";
    logoUrl: string;
    title: string;
  };
  page_rules: string[];
}
