/** Typed REST helpers for the staff Visitors panel (instead of `/api/...` strings in the components). */
import type { ParleyClient } from "../../../realtime/client.ts";
import { ApiError } from "../../../realtime/client/rest.ts";
import type { StaffConversation, VisitorMessage } from "../../../realtime/visitor_protocol.ts";

export interface Overview {
  waiting: StaffConversation[];
  held: StaffConversation[];
  /** Monitors only: conversations held by others, watched read-only. */
  live: StaffConversation[];
  me: { userId: number; available: boolean; capacity: number; team: string; load: number };
  autoAssign: boolean;
  tickets: { id: number; source: string; subject: string; createdAt: string }[];
  canned: { title: string; body: string }[];
}

export interface Detail {
  conversation: StaffConversation;
  messages: VisitorMessage[];
  previous: { id: number; status: string; topic: string; createdAt: string }[];
}

export interface AgentInfo {
  userId: number;
  displayName: string;
  available: boolean;
  online: boolean;
  team: string;
  load: number;
  capacity: number;
}

const base = "/api/visitors";

export function visitorsApi(client: ParleyClient) {
  const c = (id: number) => `${base}/conversations/${id}`;
  /** A socket action, or its REST twin when the socket is not open (the same domain rule answers both). */
  const overSocket = async <T>(
    action: string,
    frame: Record<string, unknown>,
    path: string,
    body: object,
  ) => {
    try {
      return await client.request<T>(action, frame);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== "offline") throw e;
      return await client.api<T>("POST", path, body);
    }
  };
  return {
    overview: () => client.api<Overview>("GET", `${base}/overview`),
    detail: (id: number) => client.api<Detail>("GET", c(id)),
    agents: () => client.api<{ agents: AgentInfo[] }>("GET", `${base}/agents`).then((r) => r.agents),
    setAvailable: (available: boolean) => client.api("PUT", `${base}/availability`, { available }),
    claim: (id: number) => client.api("POST", `${c(id)}/claim`),
    /**
     * A reply or note: over the staff socket (`visitor_send`, no request of its own), or as a REST request
     * when the socket is not open; the same client id makes a retry return the stored message.
     */
    send: (id: number, body: string, note: boolean) => {
      const m = { clientId: crypto.randomUUID(), body, note };
      return overSocket<{ message: VisitorMessage }>(
        "visitor_send",
        { conversationId: id, ...m },
        `${c(id)}/messages`,
        m,
      );
    },
    typing: (id: number, typing: boolean) =>
      overSocket("visitor_typing", { conversationId: id, typing }, `${c(id)}/typing`, { typing }),
    seen: (id: number, seq: number) =>
      overSocket("visitor_seen", { conversationId: id, seq }, `${c(id)}/seen`, { seq }),
    end: (id: number) => client.api("POST", `${c(id)}/end`),
    transfer: (id: number, to: { toUserId?: number; toTeam?: string }, note: string) =>
      client.api("POST", `${c(id)}/transfer`, { ...to, note }),
    escalate: (id: number, userIds: number[], note: string) =>
      client.api<{ channelId: number }>("POST", `${c(id)}/escalate`, { userIds, note }),
  };
}
export type VisitorsApi = ReturnType<typeof visitorsApi>;
