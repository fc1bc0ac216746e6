/**
 * Search queries. Messages are found through `message_search` (migration 0026: one row per live message,
 * filled by the background indexer, `domain/search_indexer.ts`): each word by full text (English stemming,
 * `message_search_fts`) or as a substring (`message_search_trgm`, pg_trgm: Japanese and Chinese, code
 * identifiers, "#4521"); phrases and exclusions are substrings; sender and dates are columns of the row
 * (migration 0029). Only live messages are returned (the page's rows are joined to their messages, which
 * must not be deleted). The caller (domain/search.ts) decides which channels
 * may be searched; these queries never widen that list.
 */
import type { Sql } from "../client.ts";

export interface MessageFilter {
  workspaceId: number;
  channelIds: number[];
  terms: string[];
  phrases: string[];
  excluded: string[];
  senderIds: number[] | null;
  hasFile: boolean;
  hasLink: boolean;
  /** ISO timestamps. */
  from: string | null;
  until: string | null;
  limit: number;
}

export interface MessageHit {
  id: number;
  channelId: number;
  seq: number;
  senderId: number | null;
  replyTo: number | null;
  body: string;
  createdAt: string;
}

/** `%` `_` and `\` taken literally in a LIKE pattern. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Chinese, Japanese and Korean characters (kana, CJK ideographs and extensions A and compatibility, Hangul):
 * the same class as the `message_search_cjk` index of migration 0026, whose predicate a query must repeat.
 */
const CJK = String.raw`[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]`;
const hasCjk = (s: string) => /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/.test(s);

/**
 * Messages matching every term, phrase and filter, newest first. Each condition is one an index of
 * `message_search` answers (migration 0026), and Postgres has statistics to choose between reading those
 * indexes (rare words) and reading the newest rows of the searchable channels until a page is full
 * (common words):
 * - a word: its substring (trigrams, `message_search_trgm`) or its stemmed form (the stored `tsv`,
 *   `message_search_fts`). Words shorter than three characters have no trigram and go by the stemmer alone
 *   (unless they are only stop words);
 * - anything with CJK characters: all its character bigrams (`message_search_cjk`), then the exact substring;
 * - a phrase: its substring; an excluded word: not its substring.
 */
export function messagesQuery(f: MessageFilter): { text: string; params: unknown[] } {
  const params: unknown[] = [f.workspaceId, f.channelIds];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ["s.workspace_id = $1", "s.channel_id = ANY($2::bigint[])"];
  const substring = (t: string) => `s.body_lower LIKE ${p(`%${likeEscape(t)}%`)}`;
  let cjk = false;
  for (const t of [...f.terms, ...f.phrases]) {
    if (!hasCjk(t)) continue;
    cjk = true;
    where.push(`parley_cjk_bigrams(s.body_lower) @> parley_cjk_bigrams(${p(t)})`, substring(t));
  }
  if (cjk) where.push(`s.body_lower ~ '${CJK}'`);
  for (const t of f.terms) {
    if (hasCjk(t)) continue;
    const stemmed = `s.tsv @@ plainto_tsquery('english', ${p(t)})`;
    if ([...t].length < 3) {
      where.push(`(${stemmed} OR (numnode(plainto_tsquery('english', ${p(t)})) = 0 AND ${substring(t)}))`);
    } else where.push(`(${substring(t)} OR ${stemmed})`);
  }
  for (const ph of f.phrases) if (!hasCjk(ph)) where.push(substring(ph));
  for (const x of f.excluded) where.push(`s.body_lower NOT LIKE ${p(`%${likeEscape(x)}%`)}`);
  // The message's own sender is checked again on the page's rows: a removed account leaves the message
  // without a sender, the search row keeps the old id.
  let senders = "";
  if (f.senderIds) {
    const ids = p(f.senderIds);
    where.push(`s.sender_id = ANY(${ids}::bigint[])`);
    senders = ` AND m.sender_id = ANY(${ids}::bigint[])`;
  }
  if (f.hasFile) {
    where.push(`EXISTS (SELECT 1 FROM files fl WHERE fl.message_id = s.message_id AND fl.status = 'ready')`);
  }
  if (f.hasLink) where.push(`s.body_lower ~ 'https?://'`);
  if (f.from) where.push(`s.created_at >= ${p(f.from)}::timestamptz`);
  if (f.until) where.push(`s.created_at < ${p(f.until)}::timestamptz`);
  // The page is chosen on `message_search` alone (every filter is a column or an index of it); only its rows
  // are read from `messages`, which must still be live (a delete removes the search row in its own
  // transaction, so the check never shortens a page; it keeps a deleted message out whatever happens).
  const text = `SELECT m.id, m.channel_id AS "channelId", m.seq, m.sender_id AS "senderId",
       m.reply_to AS "replyTo", m.body, m.created_at AS "createdAt"
     FROM (SELECT s.message_id FROM message_search s WHERE ${where.join(" AND ")}
       ORDER BY s.message_id DESC LIMIT ${p(f.limit)}) h
     JOIN messages m ON m.id = h.message_id AND m.deleted_at IS NULL${senders}
     ORDER BY m.id DESC`;
  return { text, params };
}

export async function messages(sql: Sql, f: MessageFilter): Promise<MessageHit[]> {
  const q = messagesQuery(f);
  return await sql.query<MessageHit>(q.text, q.params);
}

export interface FileHit {
  id: number;
  name: string;
  mime: string;
  kind: string;
  size: number;
  thumb: boolean;
  channelId: number;
  messageId: number;
  createdAt: string;
}

export async function files(
  sql: Sql,
  f: {
    workspaceId: number;
    channelIds: number[];
    words: string[];
    senderIds: number[] | null;
    limit: number;
  },
): Promise<FileHit[]> {
  const params: unknown[] = [f.workspaceId, f.channelIds, f.limit];
  const where = f.words.map((w) => `lower(fl.name) LIKE $${params.push(`%${likeEscape(w)}%`)}`);
  if (f.senderIds) where.push(`fl.uploader_id = ANY($${params.push(f.senderIds)}::bigint[])`);
  return await sql.query<FileHit>(
    `SELECT fl.id, fl.name, fl.mime, fl.kind, fl.size, fl.thumb_key IS NOT NULL AS thumb,
       fl.channel_id AS "channelId", fl.message_id AS "messageId", fl.created_at AS "createdAt"
     FROM files fl JOIN messages m ON m.id = fl.message_id AND m.deleted_at IS NULL
     WHERE fl.workspace_id = $1 AND fl.channel_id = ANY($2::bigint[]) AND fl.status = 'ready'
       ${where.map((w) => `AND ${w}`).join(" ")}
     ORDER BY fl.id DESC LIMIT $3`,
    params,
  );
}

export interface PersonHit {
  id: number;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export async function people(
  sql: Sql,
  workspaceId: number,
  words: string[],
  limit: number,
): Promise<PersonHit[]> {
  const params: unknown[] = [workspaceId, limit];
  const where = words.map((w) =>
    `lower(u.username || ' ' || u.display_name) LIKE $${params.push(`%${likeEscape(w)}%`)}`
  );
  return await sql.query<PersonHit>(
    `SELECT u.id, u.username, u.display_name AS "displayName", u.avatar_url AS "avatarUrl" FROM users u
     WHERE u.workspace_id = $1 AND u.deactivated_at IS NULL ${where.map((w) => `AND ${w}`).join(" ")}
     ORDER BY u.display_name LIMIT $2`,
    params,
  );
}

export interface ChannelHit {
  id: number;
  kind: string;
  name: string;
  description: string;
  member: boolean;
}

/** Named channels the user is in, and public ones (which anyone in the workspace may find and join). */
export async function channels(
  sql: Sql,
  f: { workspaceId: number; userId: number; all: boolean; words: string[]; limit: number },
): Promise<ChannelHit[]> {
  const params: unknown[] = [f.workspaceId, f.userId, f.limit, f.all];
  const where = f.words.map((w) =>
    `lower(c.name || ' ' || c.description) LIKE $${params.push(`%${likeEscape(w)}%`)}`
  );
  return await sql.query<ChannelHit>(
    `SELECT c.id, c.kind, c.name, c.description, (mb.user_id IS NOT NULL) AS member FROM channels c
     LEFT JOIN members mb ON mb.channel_id = c.id AND mb.user_id = $2
     WHERE c.workspace_id = $1 AND c.kind IN ('public_channel', 'private_channel')
       AND (c.kind = 'public_channel' OR mb.user_id IS NOT NULL OR $4)
       ${where.map((w) => `AND ${w}`).join(" ")}
     ORDER BY lower(c.name) LIMIT $3`,
    params,
  );
}

/** The channels whose messages the user may search: those they are a member of (all of them: `all`). */
export async function searchableChannels(
  sql: Sql,
  workspaceId: number,
  userId: number,
  all: boolean,
): Promise<{ id: number; kind: string; name: string; dmKey: string | null }[]> {
  return await sql.query(
    `SELECT c.id, c.kind, c.name, c.dm_key AS "dmKey" FROM channels c
     WHERE c.workspace_id = $1 AND ($3 OR EXISTS (SELECT 1 FROM members mb WHERE mb.channel_id = c.id AND mb.user_id = $2))`,
    [workspaceId, userId, all],
  );
}
