/** Typed queries for notification delivery: the scan cursor, items waiting for a mail, and the outbox. */
import type { Sql } from "../client.ts";

/** The scan cursor, locked; `created`: there was none (a first start), and this made it. */
export async function cursor(sql: Sql): Promise<{ id: number; created: boolean }> {
  const r = await sql.query<{ id: number }>(
    "SELECT last_message_id AS id FROM notification_cursor WHERE id = 1 FOR UPDATE",
  );
  if (r[0]) return { id: Number(r[0].id), created: false };
  // First start: begin at the newest message, so an upgrade does not notify about old history.
  const m = await sql.query<{ id: number | null }>("SELECT max(id) AS id FROM messages");
  const start = Number(m[0]?.id ?? 0);
  await sql.query(
    "INSERT INTO notification_cursor (id, last_message_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
    [start],
  );
  return { id: start, created: true };
}

/**
 * Whether a scan has anything to do: a message after the cursor old enough to scan, or no cursor yet. Plain
 * reads (no row lock, so no transaction id and no WAL flush at commit): an idle worker asks this once a tick
 * instead of locking the cursor. The second read walks the primary key from the cursor (`ORDER BY id`: also
 * under a generic plan, where `id > $1` alone would be estimated at a third of the table).
 */
export async function scanDue(sql: Sql, horizon: Date): Promise<boolean> {
  const c = await sql.query<{ id: number }>(
    "SELECT last_message_id AS id FROM notification_cursor WHERE id = 1",
  );
  if (!c[0]) return true;
  const r = await sql.query(
    "SELECT 1 FROM messages m WHERE m.id > $1 AND m.created_at <= $2 ORDER BY m.id LIMIT 1",
    [Number(c[0].id), horizon.toISOString()],
  );
  return r.length > 0;
}

export async function setCursor(sql: Sql, lastId: number): Promise<void> {
  await sql.query("UPDATE notification_cursor SET last_message_id = $1 WHERE id = 1", [lastId]);
}

export interface ScannedMessage {
  id: number;
  workspaceId: number;
  channelId: number;
  channelKind: "public_channel" | "private_channel" | "direct_message" | "group";
  seq: number;
  senderId: number | null;
  body: string;
  type: string;
  mentions: number[];
  createdAt: string;
  deleted: boolean;
}

const SCANNED = `m.id, m.workspace_id AS "workspaceId", m.channel_id AS "channelId", c.kind AS "channelKind",
  m.seq, m.sender_id AS "senderId", m.body, m.type, m.mentions, m.created_at AS "createdAt",
  m.deleted_at IS NOT NULL AS deleted`;

function scanned(rows: ScannedMessage[]): ScannedMessage[] {
  for (const r of rows) r.mentions = (r.mentions ?? []).map(Number);
  return rows;
}

/** A channel's share of a scan's batch (`batchChannels`). */
export interface BatchChannel {
  channelId: number;
  workspaceId: number;
  channelKind: ScannedMessage["channelKind"];
  /** Messages of the batch in this channel, and the newest one's id. */
  count: number;
  lastId: number;
  /**
   * The batch's messages here that are live (not deleted, not a system message, with a sender) and have a
   * mention of someone, a broad mention (`messages.broad_mention`, or not known: stored before it existed),
   * or are in a conversation of one of the given kinds. Ascending.
   */
  notable: number[];
}

/**
 * A scan's batch (the `limit` messages after the cursor that are old enough that no earlier id can still be
 * committing), one row per channel instead of one per message: how many, the newest id (where the cursor goes) and the ids of the
 * messages that can notify someone who does not take every message of the conversation. No body is read.
 */
export async function batchChannels(
  sql: Sql,
  afterId: number,
  horizon: Date,
  limit: number,
  kinds: readonly string[],
): Promise<BatchChannel[]> {
  const rows = await sql.query<BatchChannel>(
    `WITH b AS (
       SELECT m.id, m.channel_id,
              m.deleted_at IS NULL AND m.type <> 'system' AND m.sender_id IS NOT NULL AS live,
              coalesce(cardinality(m.mentions), 0) > 0 OR m.broad_mention IS NOT FALSE AS named
       FROM messages m
       WHERE m.id > $1 AND m.created_at <= $2
       ORDER BY m.id LIMIT $3)
     SELECT b.channel_id AS "channelId", c.workspace_id AS "workspaceId", c.kind AS "channelKind",
            count(*)::int AS count, max(b.id) AS "lastId",
            coalesce(array_agg(b.id ORDER BY b.id) FILTER (WHERE b.live AND (b.named OR c.kind = ANY($4::text[]))),
              '{}') AS notable
     FROM b JOIN channels c ON c.id = b.channel_id
     GROUP BY b.channel_id, c.workspace_id, c.kind`,
    [afterId, horizon.toISOString(), limit, kinds],
  );
  for (const r of rows) {
    r.channelId = Number(r.channelId);
    r.workspaceId = Number(r.workspaceId);
    r.lastId = Number(r.lastId);
    r.notable = (r.notable ?? []).map(Number);
  }
  return rows;
}

/** The given messages, as a scan reads them, by id. */
export async function scannedByIds(sql: Sql, ids: number[]): Promise<ScannedMessage[]> {
  if (!ids.length) return [];
  return scanned(
    await sql.query<ScannedMessage>(
      `SELECT ${SCANNED}
       FROM messages m JOIN channels c ON c.id = m.channel_id
       WHERE m.id = ANY($1::bigint[])
       ORDER BY m.id`,
      [ids],
    ),
  );
}

/**
 * The messages of a batch (`batchChannels`: after `afterId`, up to `lastId`, old enough) in the given
 * channels, as a scan reads them.
 */
export async function scannedInChannels(
  sql: Sql,
  afterId: number,
  lastId: number,
  horizon: Date,
  channelIds: number[],
): Promise<ScannedMessage[]> {
  if (!channelIds.length) return [];
  return scanned(
    await sql.query<ScannedMessage>(
      `SELECT ${SCANNED}
       FROM messages m JOIN channels c ON c.id = m.channel_id
       WHERE m.channel_id = ANY($4::bigint[]) AND m.id > $1 AND m.id <= $2 AND m.created_at <= $3
       ORDER BY m.id`,
      [afterId, lastId, horizon.toISOString(), channelIds],
    ),
  );
}

export interface NewItem {
  userId: number;
  messageId: number;
  workspaceId: number;
  channelId: number;
  seq: number;
  reason: "dm" | "mention" | "keyword" | "all";
  createdAt: string;
  emailDueAt: string | null;
}

export async function insertItem(sql: Sql, i: NewItem): Promise<void> {
  await sql.query(
    `INSERT INTO notification_items (user_id, message_id, workspace_id, channel_id, seq, reason, created_at,
       email_due_at, email_state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id, message_id) DO NOTHING`,
    [
      i.userId,
      i.messageId,
      i.workspaceId,
      i.channelId,
      i.seq,
      i.reason,
      i.createdAt,
      i.emailDueAt,
      i.emailDueAt ? "pending" : "none",
    ],
  );
}

/** People with at least one item whose email window has run out. */
export async function dueEmailUsers(sql: Sql, now: Date, limit: number): Promise<number[]> {
  const r = await sql.query<{ userId: number }>(
    `SELECT user_id AS "userId" FROM notification_items WHERE email_state = 'pending'
     GROUP BY user_id HAVING min(email_due_at) <= $1 LIMIT $2`,
    [now.toISOString(), limit],
  );
  return r.map((x) => Number(x.userId));
}

export interface PendingItem {
  messageId: number;
  workspaceId: number;
  channelId: number;
  reason: NewItem["reason"];
  createdAt: string;
  emailDueAt: string;
  /** Read on some device, deleted, or the person left: nothing to mail. */
  settled: boolean;
}

/** A person's items waiting for a mail (locked), with whether each is still unread and there. */
export async function pendingItems(sql: Sql, userId: number): Promise<PendingItem[]> {
  const rows = await sql.query<PendingItem>(
    `SELECT i.message_id AS "messageId", i.workspace_id AS "workspaceId", i.channel_id AS "channelId", i.reason,
            i.created_at AS "createdAt", i.email_due_at AS "emailDueAt",
            (m.deleted_at IS NOT NULL OR mb.user_id IS NULL OR mb.last_read_seq >= i.seq) AS settled
     FROM notification_items i
     JOIN messages m ON m.id = i.message_id
     LEFT JOIN members mb ON mb.channel_id = i.channel_id AND mb.user_id = i.user_id
     WHERE i.user_id = $1 AND i.email_state = 'pending'
     ORDER BY i.created_at, i.message_id
     FOR UPDATE OF i`,
    [userId],
  );
  return rows;
}

export async function setItemsState(
  sql: Sql,
  userId: number,
  messageIds: number[],
  state: "batched" | "dropped",
): Promise<void> {
  if (!messageIds.length) return;
  await sql.query(
    `UPDATE notification_items SET email_state = $3 WHERE user_id = $1 AND message_id = ANY($2::bigint[])`,
    [userId, messageIds, state],
  );
}

export async function postponeItems(sql: Sql, userId: number, messageIds: number[], until: Date) {
  if (!messageIds.length) return;
  await sql.query(
    `UPDATE notification_items SET email_due_at = $3 WHERE user_id = $1 AND message_id = ANY($2::bigint[])`,
    [userId, messageIds, until.toISOString()],
  );
}

/** Items for messages long gone from every window. */
export async function pruneItems(sql: Sql, before: Date): Promise<void> {
  await sql.query(
    "DELETE FROM notification_items WHERE created_at < $1 AND email_state <> 'pending'",
    [before.toISOString()],
  );
}

export interface NewDelivery {
  key: string;
  workspaceId: number | null;
  userId: number | null;
  transport: "email" | "push";
  kind: string;
  payload: unknown;
  notBefore?: Date;
}

/** Queues a delivery once per key; false when the key was already queued (a rescan, a retry). */
export async function enqueue(sql: Sql, d: NewDelivery): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO notification_outbox (idem_key, workspace_id, user_id, transport, kind, payload, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, coalesce($7::timestamptz, now()))
     ON CONFLICT (idem_key) DO NOTHING RETURNING id`,
    [
      d.key,
      d.workspaceId,
      d.userId,
      d.transport,
      d.kind,
      JSON.stringify(d.payload),
      d.notBefore?.toISOString() ?? null,
    ],
  );
  return r.length > 0;
}

export interface Delivery {
  id: number;
  key: string;
  workspaceId: number | null;
  userId: number | null;
  transport: "email" | "push";
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  state: string;
}

const D_COLS =
  `id, idem_key AS key, workspace_id AS "workspaceId", user_id AS "userId", transport, kind, payload,
  attempts, state`;

function fixD(d: Delivery): Delivery {
  if (typeof d.payload === "string") d.payload = JSON.parse(d.payload);
  return d;
}

/** Takes due deliveries for sending (no other worker gets them). */
export async function claim(sql: Sql, now: Date, limit: number): Promise<Delivery[]> {
  const rows = await sql.query<Delivery>(
    `UPDATE notification_outbox SET state = 'sending', claimed_at = $1, attempts = attempts + 1
     WHERE id IN (SELECT id FROM notification_outbox WHERE state = 'pending' AND next_attempt_at <= $1
                  ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING ${D_COLS}`,
    [now.toISOString(), limit],
  );
  return rows.map(fixD);
}

export async function finish(
  sql: Sql,
  id: number,
  state: "sent" | "dropped" | "failed",
  error = "",
): Promise<void> {
  await sql.query(
    `UPDATE notification_outbox SET state = $2, last_error = $3,
       sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE id = $1`,
    [id, state, error.slice(0, 500)],
  );
}

export async function retryLater(sql: Sql, id: number, at: Date, error: string): Promise<void> {
  await sql.query(
    `UPDATE notification_outbox SET state = 'pending', next_attempt_at = $2, last_error = $3 WHERE id = $1`,
    [id, at.toISOString(), error.slice(0, 500)],
  );
}

/** Deliveries claimed by a worker that stopped before it finished them go back to the queue. */
export async function releaseStale(sql: Sql, claimedBefore: Date): Promise<number> {
  const r = await sql.query(
    `UPDATE notification_outbox SET state = 'pending' WHERE state = 'sending' AND claimed_at < $1 RETURNING id`,
    [claimedBefore.toISOString()],
  );
  return r.length;
}

export async function byKey(sql: Sql, key: string): Promise<Delivery | null> {
  const r = await sql.query<Delivery>(`SELECT ${D_COLS} FROM notification_outbox WHERE idem_key = $1`, [key]);
  return r[0] ? fixD(r[0]) : null;
}

export interface DigestMessage {
  id: number;
  channelId: number;
  channelKind: string;
  channelName: string;
  seq: number;
  senderName: string;
  body: string;
  createdAt: string;
}

/**
 * The messages of a digest that still deserve a mail: not deleted, not read by the person on any device,
 * and in a conversation they still belong to.
 */
export async function unreadOf(sql: Sql, userId: number, messageIds: number[]): Promise<DigestMessage[]> {
  if (!messageIds.length) return [];
  return await sql.query<DigestMessage>(
    `SELECT m.id, m.channel_id AS "channelId", c.kind AS "channelKind", c.name AS "channelName", m.seq,
            coalesce(u.display_name, '') AS "senderName", m.body, m.created_at AS "createdAt"
     FROM messages m
     JOIN channels c ON c.id = m.channel_id
     JOIN members mb ON mb.channel_id = m.channel_id AND mb.user_id = $1
     LEFT JOIN users u ON u.id = m.sender_id
     WHERE m.id = ANY($2::bigint[]) AND m.deleted_at IS NULL AND mb.last_read_seq < m.seq
     ORDER BY m.channel_id, m.id`,
    [userId, messageIds],
  );
}

/** User ids among `userIds` with a live connection (a Parley tab open somewhere). */
export async function online(sql: Sql, userIds: number[], liveSeconds: number): Promise<Set<number>> {
  if (!userIds.length) return new Set();
  const r = await sql.query<{ userId: number }>(
    `SELECT DISTINCT user_id AS "userId" FROM connections
     WHERE user_id = ANY($1::bigint[]) AND seen_at > now() - make_interval(secs => $2)`,
    [userIds, liveSeconds],
  );
  return new Set(r.map((x) => Number(x.userId)));
}
