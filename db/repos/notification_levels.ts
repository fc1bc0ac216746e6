/** Typed queries on per-conversation notification levels, push subscriptions and keys. */
import type { Sql } from "../client.ts";

export interface LevelRow {
  channelId: number;
  level: "all" | "mentions" | "mute";
}

export async function levels(sql: Sql, userId: number): Promise<LevelRow[]> {
  return await sql.query<LevelRow>(
    `SELECT channel_id AS "channelId", level FROM notification_levels WHERE user_id = $1`,
    [userId],
  );
}

export async function levelsFor(
  sql: Sql,
  channelId: number,
): Promise<{ userId: number; level: LevelRow["level"] }[]> {
  return await sql.query(
    `SELECT user_id AS "userId", level FROM notification_levels WHERE channel_id = $1`,
    [channelId],
  );
}

/** The levels people chose in any of these channels, in one round trip. */
export async function levelsForChannels(
  sql: Sql,
  channelIds: number[],
): Promise<{ channelId: number; userId: number; level: LevelRow["level"] }[]> {
  if (!channelIds.length) return [];
  return await sql.query(
    `SELECT channel_id AS "channelId", user_id AS "userId", level FROM notification_levels
     WHERE channel_id = ANY($1::bigint[])`,
    [channelIds],
  );
}

export async function setLevel(sql: Sql, userId: number, channelId: number, level: string | null) {
  if (level === null) {
    await sql.query("DELETE FROM notification_levels WHERE user_id = $1 AND channel_id = $2", [
      userId,
      channelId,
    ]);
    return;
  }
  await sql.query(
    `INSERT INTO notification_levels (user_id, channel_id, level) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, channel_id) DO UPDATE SET level = excluded.level`,
    [userId, channelId, level],
  );
}

export interface KeysRow {
  vapidPublicKey: string;
  vapidPrivateKey: string;
  linkSecret: string;
}

export async function keys(sql: Sql): Promise<KeysRow | null> {
  const r = await sql.query<KeysRow>(
    `SELECT vapid_public_key AS "vapidPublicKey", vapid_private_key AS "vapidPrivateKey",
            link_secret AS "linkSecret" FROM notification_keys WHERE id = 1`,
  );
  return r[0] ?? null;
}

/** Stores the keys unless another instance stored its own first; returns the ones in force. */
export async function insertKeys(sql: Sql, k: KeysRow): Promise<KeysRow> {
  await sql.query(
    `INSERT INTO notification_keys (id, vapid_public_key, vapid_private_key, link_secret)
     VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING`,
    [k.vapidPublicKey, k.vapidPrivateKey, k.linkSecret],
  );
  return (await keys(sql))!;
}

export interface SubscriptionRow {
  id: number;
  userId: number;
  workspaceId: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  device: string;
  createdAt: string;
  lastUsedAt: string | null;
}

const SUB_COLS = `id, user_id AS "userId", workspace_id AS "workspaceId", endpoint, p256dh, auth, device,
  created_at AS "createdAt", last_used_at AS "lastUsedAt"`;

export async function subscriptions(sql: Sql, userId: number): Promise<SubscriptionRow[]> {
  return await sql.query<SubscriptionRow>(
    `SELECT ${SUB_COLS} FROM push_subscriptions WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
}

/** The devices of several people at once, each person's in id order (the scanner reads them once per batch). */
export async function subscriptionsOf(sql: Sql, userIds: number[]): Promise<SubscriptionRow[]> {
  if (!userIds.length) return [];
  return await sql.query<SubscriptionRow>(
    `SELECT ${SUB_COLS} FROM push_subscriptions WHERE user_id = ANY($1::bigint[]) ORDER BY user_id, id`,
    [userIds],
  );
}

export async function subscription(sql: Sql, id: number): Promise<SubscriptionRow | null> {
  const r = await sql.query<SubscriptionRow>(`SELECT ${SUB_COLS} FROM push_subscriptions WHERE id = $1`, [
    id,
  ]);
  return r[0] ?? null;
}

/** Adds a device, or moves an endpoint already known (a re-subscribe) to this person with its new keys. */
export async function upsertSubscription(
  sql: Sql,
  s: { userId: number; workspaceId: number; endpoint: string; p256dh: string; auth: string; device: string },
): Promise<SubscriptionRow> {
  const r = await sql.query<SubscriptionRow>(
    `INSERT INTO push_subscriptions (user_id, workspace_id, endpoint, p256dh, auth, device)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, workspace_id = excluded.workspace_id,
       p256dh = excluded.p256dh, auth = excluded.auth, device = excluded.device
     RETURNING ${SUB_COLS}`,
    [s.userId, s.workspaceId, s.endpoint, s.p256dh, s.auth, s.device],
  );
  return r[0];
}

export async function removeSubscription(sql: Sql, id: number): Promise<boolean> {
  const r = await sql.query("DELETE FROM push_subscriptions WHERE id = $1 RETURNING id", [id]);
  return r.length > 0;
}

export async function touchSubscription(sql: Sql, id: number): Promise<void> {
  await sql.query("UPDATE push_subscriptions SET last_used_at = now() WHERE id = $1", [id]);
}
