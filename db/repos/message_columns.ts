/**
 * The one list of message columns. Every read of a message — history pages, threads, one message, the
 * rows a send stores (one at a time or grouped) and the payloads replay builds from the event log — selects
 * these, so what a message looks like is decided once: a deleted message is a placeholder with no body,
 * mentions, reactions or attachments; an edited one has only its latest text.
 */
import type { Message } from "../../realtime/protocol.ts";
import { ATTACHMENTS_JSON } from "./files.ts";

export interface ColumnOptions {
  /** Prefix for every output name (a message beside other columns in one row). */
  prefix?: string;
  /** A row just inserted: it has no reactions yet, so the reactions subquery is skipped. */
  fresh?: boolean;
  /**
   * An SQL expression of a channel sequence: the reply count is the number of replies before it, as it was
   * when that event happened (replay applies the later replies itself).
   */
  replyCountAt?: string;
}

/** Each column of a message: its SQL expression over a `messages` row aliased `g`, and its name. */
function columns(opts: ColumnOptions): [string, (typeof NAMES)[number]][] {
  const live = "g.deleted_at IS NULL";
  const reactions = opts.fresh
    ? "'[]'::json"
    : `CASE WHEN ${live} THEN coalesce((SELECT json_agg(json_build_object(
      'emoji', r.emoji, 'userIds', r.users) ORDER BY r.first)
    FROM (SELECT emoji, array_agg(user_id ORDER BY created_at) AS users, min(created_at) AS first
          FROM reactions rr WHERE rr.message_id = g.id GROUP BY emoji) r), '[]'::json) ELSE '[]'::json END`;
  const replyCount = opts.replyCountAt
    ? `(SELECT count(*)::int FROM messages rc WHERE rc.reply_to = g.id AND rc.seq < ${opts.replyCountAt})`
    : "g.reply_count";
  return [
    ["g.id", "id"],
    ["g.channel_id", "channelId"],
    ["g.seq", "seq"],
    ["g.sender_id", "senderId"],
    ["g.client_id", "clientId"],
    ["g.type", "type"],
    [`CASE WHEN ${live} THEN g.body ELSE '' END`, "body"],
    ["g.reply_to", "replyTo"],
    [replyCount, "replyCount"],
    [`CASE WHEN ${live} THEN g.mentions ELSE '{}'::bigint[] END`, "mentions"],
    ["g.edited_at", "editedAt"],
    ["g.deleted_at", "deletedAt"],
    ["g.created_at", "createdAt"],
    [reactions, "reactions"],
    [opts.fresh ? "'[]'::json" : ATTACHMENTS_JSON, "attachments"],
  ];
}

/** The SELECT list for a `messages` row aliased `g`. */
export function messageColumns(opts: ColumnOptions = {}): string {
  const p = opts.prefix ?? "";
  return columns(opts).map(([expr, name]) => `${expr} AS "${p}${name}"`).join(", ");
}

/**
 * The message a send just stored became, as `toMessage` gives it for the row selected with
 * `messageColumns({ fresh: true })`: built from the send and the columns Postgres made (`made`: `id`, `seq`,
 * `createdAt`), for statements that return only those (`message_batch.ts`). A fresh row has no reply, reply
 * count, mentions, edit, deletion, reactions or attachments, and its text is the send's as Postgres stored
 * it (UTF-8, where a lone surrogate becomes U+FFFD, as `toWellFormed` makes it). The fields in
 * `toMessage`'s order (the JSON of an event is the same text). tests/db/repos/message_batch_test.ts compares
 * it with the row read back.
 */
export function freshMessage(
  send: { channelId: number; senderId: number; clientId: string; type: Message["type"]; body: string },
  made: Record<string, unknown>,
): Message {
  return {
    id: made.id as number,
    channelId: send.channelId,
    seq: made.seq as number,
    senderId: send.senderId,
    clientId: send.clientId.toWellFormed(),
    type: send.type,
    body: send.body.toWellFormed(),
    replyTo: null,
    replyCount: 0,
    mentions: [],
    editedAt: null,
    deletedAt: null,
    createdAt: made.createdAt as string,
    reactions: [],
    attachments: [],
  };
}

const TIMESTAMPS = new Set(["editedAt", "deletedAt", "createdAt"]);

/**
 * `messageColumns` for a message Postgres turns into JSON itself (`row_to_json` of a row of these): the
 * same fields in the same order as `toMessage` makes them, ids and counts as numbers, nulls as null, and the
 * timestamps as the API's ISO text (UTC, milliseconds truncated, as `db/timestamps.ts` gives them). For
 * pages sent as they come from the database (`messages.pageWithAccess`).
 */
export function messageJsonColumns(opts: Omit<ColumnOptions, "prefix"> = {}): string {
  return columns(opts).map(([expr, name]) => {
    const value = TIMESTAMPS.has(name)
      ? `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : expr;
    return `${value} AS "${name}"`;
  }).join(", ");
}

const NAMES = [
  "id",
  "channelId",
  "seq",
  "senderId",
  "clientId",
  "type",
  "body",
  "replyTo",
  "replyCount",
  "mentions",
  "editedAt",
  "deletedAt",
  "createdAt",
  "reactions",
  "attachments",
] as const;

/** A row selected with `messageColumns` as a Message (null when a prefixed message is absent). */
export function toMessage(row: Record<string, unknown>, prefix = ""): Message | null {
  if (row[`${prefix}id`] == null) return null;
  const m: Record<string, unknown> = {};
  for (const n of NAMES) m[n] = row[`${prefix}${n}`];
  if (typeof m.reactions === "string") m.reactions = JSON.parse(m.reactions);
  if (typeof m.attachments === "string") m.attachments = JSON.parse(m.attachments);
  m.attachments ??= [];
  m.mentions = ((m.mentions as unknown[] | null) ?? []).map(Number);
  return m as unknown as Message;
}
