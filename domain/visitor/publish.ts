/**
 * Visitor-chat transactions: events are gathered while the transaction runs and published after it commits.
 * Staff audiences: the agent holding a conversation, and everyone who may answer visitors (queue changes).
 */
import type { Sql } from "../../db/client.ts";
import type { Audience, Envelope } from "../../realtime/protocol.ts";
import type { VisitorEvent } from "../../realtime/visitor_protocol.ts";
import type { Deps } from "../deps.ts";
import { ROLE_PERMISSIONS } from "../permissions.ts";
import { staffWithPermissionSql } from "../../db/repos/visitor_message_batch.ts";

export type Emit = (workspaceId: number, event: VisitorEvent, audience: Audience) => void;

export async function visitorTx<T>(deps: Deps, fn: (sql: Sql, emit: Emit) => Promise<T>): Promise<T> {
  const out: Envelope[] = [];
  const result = await deps.db.tx(async (sql) => {
    out.length = 0;
    return await fn(sql, (workspaceId, event, audience) => out.push({ event, audience, workspaceId }));
  });
  if (out.length) deps.bus.publish(out.slice());
  return result;
}

const QUEUE_ROLES = (Object.entries(ROLE_PERMISSIONS) as [string, readonly string[]][])
  .filter(([, ps]) => ps.includes("chat.public_queue"))
  .map(([r]) => r);

/** Everyone in the workspace who may answer visitors (by built-in or custom role, or a permission of their own). */
export async function queueAudience(sql: Sql, workspaceId: number): Promise<Audience> {
  const rows = await sql.query<{ id: number }>(
    `SELECT u.id FROM users u WHERE ${staffWithPermissionSql("$1", "'chat.public_queue'", "$2::text[]")}`,
    [workspaceId, QUEUE_ROLES],
  );
  return { kind: "users", userIds: rows.map((r) => r.id) };
}

/** Tells the staff who may answer visitors that the queue (or a conversation's holder) changed. */
export async function queueChanged(sql: Sql, emit: Emit, workspaceId: number, conversationId: number | null) {
  emit(
    workspaceId,
    { type: "visitor_queue_changed", workspaceId, conversationId },
    await queueAudience(sql, workspaceId),
  );
}

export const MONITOR_ROLES = (Object.entries(ROLE_PERMISSIONS) as [string, readonly string[]][])
  .filter(([, ps]) => ps.includes("chat.public_monitor"))
  .map(([r]) => r);

/**
 * Staff who see a conversation live: the agent holding it and every monitor (`chat.public_monitor`) of
 * the workspace, who watch read-only.
 */
export async function staffAudience(
  sql: Sql,
  workspaceId: number,
  ...holders: (number | null)[]
): Promise<Audience> {
  const rows = await sql.query<{ id: number }>(
    `SELECT u.id FROM users u WHERE ${staffWithPermissionSql("$1", "'chat.public_monitor'", "$2::text[]")}`,
    [workspaceId, MONITOR_ROLES],
  );
  const ids = new Set(rows.map((r) => Number(r.id)));
  for (const h of holders) if (h) ids.add(h);
  return { kind: "users", userIds: [...ids] };
}

export const toVisitor = (conversationId: number): Audience => ({ kind: "visitor", conversationId });
