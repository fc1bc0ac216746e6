/** Live WebSocket connections, shared by all instances through the database. */
import type { Sql } from "../client.ts";
import type { PresenceInfo } from "../../realtime/protocol.ts";
import { type UnreadCount, unreadCountsOfPeople } from "./channels.ts";

/** A connection counts as live when its instance refreshed it within this many seconds. */
export const LIVE_SECONDS = 90;

export interface NewConnection {
  id: string;
  userId: number;
  workspaceId: number;
  instanceId: string;
  page: string;
  userAgent: string;
}

/**
 * A `bigint[]` parameter as Postgres' array text (`{1,2,3}`): the drivers pass a string through as it is,
 * where an array of numbers is quoted and escaped element by element (ids of every socket connecting).
 */
const bigints = (xs: number[]) => `{${xs.join(",")}}`;

/** Stores connection rows, many in one statement (one round trip and one commit). */
/** Stores connection rows, parameters $1-$6 (`rowParams`); an id already stored stays as it is. */
const INSERT_ROWS = `INSERT INTO connections (id, user_id, workspace_id, instance_id, page, user_agent)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (id) DO NOTHING`;

const rowParams = (rows: NewConnection[]) => [
  rows.map((c) => c.id),
  bigints(rows.map((c) => c.userId)),
  bigints(rows.map((c) => c.workspaceId)),
  rows.map((c) => c.instanceId),
  rows.map((c) => c.page.slice(0, 300)),
  rows.map((c) => c.userAgent.slice(0, 300)),
];

export async function insertMany(sql: Sql, rows: NewConnection[]) {
  if (!rows.length) return;
  await sql.query(INSERT_ROWS, rowParams(rows));
}

export async function removeMany(sql: Sql, ids: string[]) {
  if (ids.length) await sql.query("DELETE FROM connections WHERE id = ANY($1::text[])", [ids]);
}

export async function setPage(sql: Sql, id: string, page: string) {
  await sql.query("UPDATE connections SET page = $2, seen_at = now() WHERE id = $1", [
    id,
    page.slice(0, 300),
  ]);
}

export async function touch(sql: Sql, ids: string[]) {
  if (ids.length) await sql.query("UPDATE connections SET seen_at = now() WHERE id = ANY($1::text[])", [ids]);
}

/** Presence rows (status, texts, live connections) of some users of a workspace, or of all active ones. */
export async function presenceOf(
  sql: Sql,
  workspaceId: number,
  userIds: number[] | null,
): Promise<PresenceInfo[]> {
  if (userIds === null) {
    return await sql.query<PresenceInfo>(
      `SELECT u.id AS "userId", u.status, u.status_text AS "statusText", u.away_message AS "awayMessage",
         coalesce(c.n, 0)::int AS connections
       FROM users u
       LEFT JOIN (SELECT user_id, count(*) AS n FROM connections
         WHERE workspace_id = $1 AND seen_at > now() - make_interval(secs => $2) GROUP BY user_id) c ON c.user_id = u.id
       WHERE u.workspace_id = $1 AND u.deactivated_at IS NULL
       ORDER BY u.id`,
      [workspaceId, LIVE_SECONDS],
    );
  }
  // Named people (a socket's subscription, an announcement window): their connections only, by the
  // `connections_user` index, not a count over the whole workspace's connections.
  const rows = await presenceOfMany(sql, userIds.map((userId) => ({ workspaceId, userId })));
  return rows.map(({ workspaceId: _, ...p }) => p);
}

export interface ConnectionRow {
  id: string;
  userId: number;
  instanceId: string;
  page: string;
  userAgent: string;
  connectedAt: string;
  seenAt: string;
}

export async function listLive(sql: Sql, workspaceId: number): Promise<ConnectionRow[]> {
  return await sql.query<ConnectionRow>(
    `SELECT id, user_id AS "userId", instance_id AS "instanceId", page, user_agent AS "userAgent",
       connected_at AS "connectedAt", seen_at AS "seenAt"
     FROM connections WHERE workspace_id = $1 AND seen_at > now() - make_interval(secs => $2) ORDER BY connected_at`,
    [workspaceId, LIVE_SECONDS],
  );
}

export async function purgeStale(sql: Sql) {
  await sql.query(`DELETE FROM connections WHERE seen_at < now() - make_interval(secs => $1)`, [
    LIVE_SECONDS * 4,
  ]);
}

/**
 * `presenceOf` named people for several subscriptions in one statement (the hellos of sockets opening at the
 * same moment): each row with the workspace it was asked for. Only people of that workspace, not
 * deactivated, are returned.
 */
export async function presenceOfMany(
  sql: Sql,
  asked: { workspaceId: number; userId: number }[],
): Promise<(PresenceInfo & { workspaceId: number })[]> {
  if (!asked.length) return [];
  return await sql.query<PresenceInfo & { workspaceId: number }>(
    `SELECT q.workspace_id AS "workspaceId", u.id AS "userId", u.status, u.status_text AS "statusText",
       u.away_message AS "awayMessage",
       (SELECT count(*) FROM connections c
         WHERE c.user_id = u.id AND c.workspace_id = q.workspace_id AND c.seen_at > now() - make_interval(secs => $3))::int
         AS connections
     FROM (SELECT DISTINCT * FROM unnest($1::bigint[], $2::bigint[]) AS x(workspace_id, user_id)) q
     JOIN users u ON u.id = q.user_id AND u.workspace_id = q.workspace_id AND u.deactivated_at IS NULL
     ORDER BY u.id`,
    [bigints(asked.map((a) => a.workspaceId)), bigints(asked.map((a) => a.userId)), LIVE_SECONDS],
  );
}

/**
 * `insertMany` and `unreadCountsMany` (`channels.ts`) in one statement (one round trip, one commit): the
 * connection rows of the sockets opening at the same moment, and the unread counts of `people` (every
 * channel of each person, ordered by person then channel). The counts do not depend on the rows.
 */
export async function insertManyWithCounts(
  sql: Sql,
  rows: NewConnection[],
  people: { workspaceId: number; userId: number }[],
): Promise<(UnreadCount & { userId: number; workspaceId: number })[]> {
  return await sql.query(
    `WITH ins AS (${INSERT_ROWS})
     ${unreadCountsOfPeople(7)}`,
    [
      ...rowParams(rows),
      bigints(people.map((p) => p.workspaceId)),
      bigints(people.map((p) => p.userId)),
    ],
  );
}
