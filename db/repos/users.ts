/** Typed queries on users. No business rules. */
import type { Sql } from "../client.ts";
import type { WorkspaceRole } from "../../domain/permissions.ts";
import type { PresenceStatus, UserSummary } from "../../realtime/protocol.ts";

export interface UserRow {
  id: number;
  workspaceId: number;
  username: string;
  displayName: string;
  email: string | null;
  avatarUrl: string | null;
  role: WorkspaceRole;
  /** Individual permissions granted on top of the role. */
  permissions: string[];
  /** The custom role held (its rank is in `role`), or null for a built-in role. */
  customRoleId: number | null;
  customRoleName: string | null;
  /** The custom role's permissions, which replace the built-in role's defaults; null for a built-in role. */
  rolePermissions: string[] | null;
  passwordHash: string | null;
  externalId: string | null;
  status: PresenceStatus;
  statusText: string;
  awayMessage: string;
  deactivatedAt: string | null;
  createdAt: string;
}

const COLS = `id, workspace_id AS "workspaceId", username, display_name AS "displayName", email,
  avatar_url AS "avatarUrl", role, permissions, password_hash AS "passwordHash", external_id AS "externalId",
  status, status_text AS "statusText", away_message AS "awayMessage", deactivated_at AS "deactivatedAt",
  created_at AS "createdAt"`;

/** The custom role's columns, for a users row aliased `t`. */
const roleCols = (t: string) =>
  `${t}.custom_role_id::int AS "customRoleId",
  (SELECT cr.name FROM custom_roles cr WHERE cr.id = ${t}.custom_role_id) AS "customRoleName",
  (SELECT cr.permissions FROM custom_roles cr WHERE cr.id = ${t}.custom_role_id) AS "rolePermissions"`;

const ALL_COLS = `${COLS}, ${roleCols("users")}`;

export const summary = (u: UserRow): UserSummary => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  avatarUrl: u.avatarUrl,
});

export async function byId(sql: Sql, workspaceId: number, id: number): Promise<UserRow | null> {
  const r = await sql.query<UserRow>(`SELECT ${ALL_COLS} FROM users WHERE workspace_id = $1 AND id = $2`, [
    workspaceId,
    id,
  ]);
  return r[0] ?? null;
}

/**
 * What a session's reads give of its user: what `actorFromUser` (domain/auth.ts) makes the actor of, whether
 * the account is deactivated (deactivated users are returned too: the caller decides), and the host origin
 * the session is bound to (embed sessions only). Not the whole `UserRow`: every request reads its session,
 * and the password hash, e-mail, status texts and the custom role's name are of no use there.
 */
export interface SessionUser {
  id: number;
  workspaceId: number;
  username: string;
  displayName: string;
  role: WorkspaceRole;
  permissions: string[];
  rolePermissions: string[] | null;
  deactivatedAt: string | null;
  embedOrigin: string | null;
}

/** A session's user as `bySession` reads it: each column's expression and its name in `SessionUser`. */
const SESSION_FIELDS: [string, keyof SessionUser][] = [
  ["u.id", "id"],
  ["u.workspace_id", "workspaceId"],
  ["u.username", "username"],
  ["u.display_name", "displayName"],
  ["u.role", "role"],
  ["u.permissions", "permissions"],
  ["(SELECT cr.permissions FROM custom_roles cr WHERE cr.id = u.custom_role_id)", "rolePermissions"],
  ["u.deactivated_at", "deactivatedAt"],
  ["s.embed_origin", "embedOrigin"],
];

const sessionCols = (prefix: string) => SESSION_FIELDS.map(([e, n]) => `${e} AS "${prefix}${n}"`).join(", ");

const SESSION_COLS = sessionCols("");

/** `SESSION_COLS` with every name prefixed `s_`, for a session's user beside other rows (`messages.pageWithSession`). */
export const S_PREFIXED = sessionCols("s_");

/**
 * A live (unexpired) session whose token hash is the parameter `param`, joined to its user (aliases `s`,
 * `u`): the rows `bySession` reads, for a statement that reads a session beside something else.
 */
export const liveSessionJoin = (param: string) =>
  `sessions s JOIN users u ON u.id = s.user_id AND u.workspace_id = s.workspace_id
     AND s.token_hash = ${param} AND s.expires_at > now()`;

/** The session user of a row of `S_PREFIXED` (and other columns), or null when the row has none. */
export function sessionUserOf(row: Record<string, unknown>): SessionUser | null {
  if (row.s_id == null) return null;
  const user: Record<string, unknown> = {};
  for (const [, n] of SESSION_FIELDS) user[n] = row[`s_${n}`];
  return user as unknown as SessionUser;
}

/**
 * `bySession`'s statement, built once: every request reads its session, and a text built per call is a few
 * hundred bytes of new string each time, which the finished postgres.js query keeps through the scavenges
 * (bench/notes/history_page.md, "History tail and the floor of a request", ninth pass).
 */
const BY_SESSION = `SELECT ${SESSION_COLS} FROM ${liveSessionJoin("$1")}`;

/** The user of a live (unexpired) session, in one round trip. */
export async function bySession(sql: Sql, tokenHash: string): Promise<SessionUser | null> {
  const r = await sql.query<SessionUser>(BY_SESSION, [tokenHash]);
  return r[0] ?? null;
}

/**
 * As `bySession`, with the ids of each user's channels (what a new socket subscribes to), for several sessions
 * in one statement (the upgrades of sockets opening at the same moment are read together, `connect_reads.ts`);
 * each row carries its `tokenHash`. Sessions not found (ended, expired) are absent.
 */
export async function bySessionsWithChannels(
  sql: Sql,
  tokenHashes: string[],
): Promise<(SessionUser & { tokenHash: string; channelIds: number[] })[]> {
  if (!tokenHashes.length) return [];
  const r = await sql.query<SessionUser & { tokenHash: string; channelIds: (number | string)[] }>(
    `SELECT ${SESSION_COLS}, s.token_hash AS "tokenHash",
       ARRAY(SELECT mb.channel_id FROM members mb WHERE mb.user_id = u.id) AS "channelIds" FROM sessions s
     JOIN users u ON u.id = s.user_id AND u.workspace_id = s.workspace_id
     WHERE s.token_hash = ANY($1::text[]) AND s.expires_at > now()`,
    [tokenHashes],
  );
  return r.map((x) => ({ ...x, channelIds: x.channelIds.map(Number) }));
}

export async function byIds(sql: Sql, workspaceId: number, ids: number[]): Promise<UserRow[]> {
  if (!ids.length) return [];
  return await sql.query<UserRow>(
    `SELECT ${ALL_COLS} FROM users WHERE workspace_id = $1 AND id = ANY($2::bigint[])`,
    [
      workspaceId,
      ids,
    ],
  );
}

/** What the notification scanner needs of a person it may notify (no role subqueries, no password hash). */
export interface RecipientRow {
  id: number;
  workspaceId: number;
  email: string | null;
  deactivatedAt: string | null;
}

/** `RecipientRow`s of some people of one workspace (ids of other workspaces return nothing). */
export async function recipientsByIds(sql: Sql, workspaceId: number, ids: number[]): Promise<RecipientRow[]> {
  if (!ids.length) return [];
  return await sql.query<RecipientRow>(
    `SELECT id, workspace_id AS "workspaceId", email, deactivated_at AS "deactivatedAt" FROM users
     WHERE workspace_id = $1 AND id = ANY($2::bigint[])`,
    [workspaceId, ids],
  );
}

export async function byUsername(sql: Sql, workspaceId: number, username: string): Promise<UserRow | null> {
  const r = await sql.query<UserRow>(
    `SELECT ${ALL_COLS} FROM users WHERE workspace_id = $1 AND lower(username) = lower($2)`,
    [workspaceId, username],
  );
  return r[0] ?? null;
}

export async function byExternalId(
  sql: Sql,
  workspaceId: number,
  externalId: string,
): Promise<UserRow | null> {
  const r = await sql.query<UserRow>(
    `SELECT ${ALL_COLS} FROM users WHERE workspace_id = $1 AND external_id = $2`,
    [
      workspaceId,
      externalId,
    ],
  );
  return r[0] ?? null;
}

export async function search(sql: Sql, workspaceId: number, q: string, limit: number): Promise<UserRow[]> {
  const like = `%${q.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
  return await sql.query<UserRow>(
    `SELECT ${ALL_COLS} FROM users WHERE workspace_id = $1 AND deactivated_at IS NULL
       AND (username ILIKE $2 OR display_name ILIKE $2 OR coalesce(email, '') ILIKE $2)
     ORDER BY display_name LIMIT $3`,
    [workspaceId, like, limit],
  );
}

export interface NewUser {
  workspaceId: number;
  username: string;
  displayName: string;
  email?: string | null;
  role?: WorkspaceRole;
  permissions?: string[];
  passwordHash?: string | null;
  externalId?: string | null;
}

export async function insert(sql: Sql, u: NewUser): Promise<UserRow> {
  const r = await sql.query<UserRow>(
    `INSERT INTO users (workspace_id, username, display_name, email, role, permissions, password_hash, external_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ALL_COLS}`,
    [
      u.workspaceId,
      u.username,
      u.displayName,
      u.email ?? null,
      u.role ?? "member",
      u.permissions ?? [],
      u.passwordHash ?? null,
      u.externalId ?? null,
    ],
  );
  return r[0];
}

export async function updateProfile(
  sql: Sql,
  id: number,
  p: { displayName?: string; email?: string | null; role?: WorkspaceRole; permissions?: string[] },
): Promise<void> {
  await sql.query(
    `UPDATE users SET display_name = coalesce($2, display_name), email = coalesce($3, email),
       custom_role_id = CASE WHEN $4::text IS NOT NULL AND $4::text <> role THEN NULL ELSE custom_role_id END,
       role = coalesce($4, role), permissions = coalesce($5, permissions), updated_at = now() WHERE id = $1`,
    [id, p.displayName ?? null, p.email ?? null, p.role ?? null, p.permissions ?? null],
  );
}

export async function updateStatus(
  sql: Sql,
  id: number,
  p: { status?: PresenceStatus; statusText?: string; awayMessage?: string },
): Promise<void> {
  await sql.query(
    `UPDATE users SET status = coalesce($2, status), status_text = coalesce($3, status_text),
       away_message = coalesce($4, away_message), updated_at = now() WHERE id = $1`,
    [id, p.status ?? null, p.statusText ?? null, p.awayMessage ?? null],
  );
}

export async function setDeactivated(sql: Sql, id: number, deactivated: boolean): Promise<void> {
  await sql.query(`UPDATE users SET deactivated_at = CASE WHEN $2 THEN now() ELSE NULL END WHERE id = $1`, [
    id,
    deactivated,
  ]);
}

/** Does any user exist at all, in any workspace? (A fresh production database has none.) */
export async function anyExists(sql: Sql): Promise<boolean> {
  return (await sql.query("SELECT 1 FROM users LIMIT 1")).length > 0;
}

export async function setPasswordHash(sql: Sql, id: number, hash: string): Promise<void> {
  await sql.query("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", [id, hash]);
}

/** The role and extra permissions behind each of these live sessions, in one round trip. */
export async function accessBySessions(
  sql: Sql,
  hashes: string[],
): Promise<
  {
    hash: string;
    role: WorkspaceRole;
    permissions: string[];
    rolePermissions: string[] | null;
    live: boolean;
  }[]
> {
  if (!hashes.length) return [];
  // `live` as `sessions.liveOf` decides it: one statement for the gateway's periodic check of every socket.
  return await sql.query(
    `SELECT s.token_hash AS hash, u.role, u.permissions, cr.permissions AS "rolePermissions",
       (s.expires_at > now() AND u.deactivated_at IS NULL) AS live
     FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN custom_roles cr ON cr.id = u.custom_role_id
     WHERE s.token_hash = ANY($1::text[])`,
    [hashes],
  );
}

/** A built-in role (and no custom role). */
export async function setRole(sql: Sql, id: number, role: WorkspaceRole): Promise<void> {
  await sql.query("UPDATE users SET role = $2, custom_role_id = NULL, updated_at = now() WHERE id = $1", [
    id,
    role,
  ]);
}
