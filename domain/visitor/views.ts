/** What each side sees of a conversation: the visitor's view (no staff-only data) and the staff view. */
import type { Sql } from "../../db/client.ts";
import * as convRepo from "../../db/repos/visitor_conversations.ts";
import type { StaffConversation, VisitorView } from "../../realtime/visitor_protocol.ts";

/** Seconds of estimated wait for a place in line: the recent mean wait, or two minutes, per place ahead. */
export function estimateWait(position: number, meanSeconds: number | null, agentsAvailable: number): number {
  const per = meanSeconds && meanSeconds > 0 ? meanSeconds : 120;
  return Math.round((per * position) / Math.max(1, agentsAvailable));
}

export async function visitorView(sql: Sql, c: convRepo.ConversationRow): Promise<VisitorView> {
  let position: number | null = null;
  let waitSeconds: number | null = null;
  if (c.status === "waiting") {
    position = (await convRepo.positions(sql, c.workspaceId)).get(c.id) ?? null;
    if (position) waitSeconds = estimateWait(position, await convRepo.meanWaitSeconds(sql, c.workspaceId), 1);
  }
  return {
    id: c.id,
    status: c.status,
    name: c.name,
    topic: c.topic,
    agentName: c.agentName,
    position,
    waitSeconds,
    lastSeq: c.lastSeq,
    agentSeenSeq: c.agentSeenSeq,
    rated: c.rated,
    ticketId: c.ticketId,
    messages: await convRepo.messages(sql, c.id, { withNotes: false }),
  };
}

export function staffView(c: convRepo.ConversationRow): StaffConversation {
  return {
    id: c.id,
    status: c.status,
    name: c.name,
    email: c.email,
    phone: c.phone,
    topic: c.topic,
    answers: c.answers,
    page: c.page,
    userAgent: c.userAgent,
    agentId: c.agentId,
    agentName: c.agentName,
    team: c.team,
    queuedAt: c.queuedAt,
    assignedAt: c.assignedAt,
    endedAt: c.endedAt,
    lastSeq: c.lastSeq,
    visitorSeenSeq: c.visitorSeenSeq,
    visitorOnline: c.visitorConnected,
    escalationChannelId: c.escalationChannelId,
    ticketId: c.ticketId,
  };
}
