/**
 * Set-based queries for group commit (domain/send_batch.ts): many plain sends stored by one statement
 * (one round trip, one commit), instead of eight round trips and a commit each. No business rules beyond
 * what the statement filters on; sends it leaves out go through the one-at-a-time path, which explains why.
 */
import type { Sql } from "../client.ts";
import type { Message } from "../../realtime/protocol.ts";
import { freshMessage } from "./message_columns.ts";
import { settingIsTrueSql } from "./workspaces.ts";

export interface BatchSend {
  workspaceId: number;
  channelId: number;
  senderId: number;
  clientId: string;
  type: "text" | "ticket_link";
  body: string;
  /** The sender holds chat.moderate_channels (may post in read-only channels). */
  moderator: boolean;
  /** The sender may send during maintenance (administrators). */
  maintenanceExempt: boolean;
  /** The body holds a broad mention (`messages.NewMessage.broadMention`; left out: not known). */
  broadMention?: boolean;
}

/**
 * Whether the sender may post in channel `c` as member `mb`: posting open and not read-only, or the sender
 * holds chat.moderate_channels (`moderator`: an int expression, 1 or 0) or moderates the channel.
 */
const mayPostSql = (moderator: string) =>
  `((NOT c.read_only AND c.allow_posting) OR ${moderator} = 1 OR mb.role IN ('owner', 'admin', 'moderator'))`;

/** Appends each stored row of `ins` (aliased `g`) to its channel's event log: the id, never a copy. */
const LOG_STORED = `ev AS (
       INSERT INTO channel_events (channel_id, seq, workspace_id, type, message_id)
       SELECT g.channel_id, g.seq, g.workspace_id, 'message_received', g.id
       FROM ins g
     )`;

/**
 * What a statement returns of each message it stored: only what Postgres made (its id, number and time);
 * the rest of the message is the send's (`freshMessage`), so the driver neither receives nor decodes again
 * the body and the columns every fresh message has alike.
 */
const MADE = `g.id AS "id", g.seq AS "seq", g.created_at AS "createdAt"`;

/**
 * The grouped statement, built once: the same text every call, so the driver's per-connection lookup of its
 * prepared statement hashes one string it has seen before instead of a fresh copy of a few kilobytes (and
 * the column list and the setting's clause are not rebuilt per batch).
 *
 * Its shape is for Postgres' plan cache and executor (bench/notes/cpu_per_message.md, "Inside the Postgres
 * backend", ninth pass):
 * - `LIMIT cardinality($1)` changes no result (every array has that many elements) but makes the plan cache
 *   keep its generic plan: without it the generic plan was priced for 10 sends against a custom plan's exact
 *   count, and with 1,000 channels every statement was planned afresh (~900 µs of Postgres CPU more per
 *   statement). A LIMIT the generic plan cannot read is priced at 10 % of its input, i.e. one send, so the
 *   generic plan is never dearer than a custom one.
 * - The channel rows are locked by `ok` itself (`FOR UPDATE OF c`, in channel id order: the sort is below
 *   the lock), so no separate lock step; the permission check is re-run on the row as locked.
 * - `ok` is read to its end (the count per channel) before `bumped` updates a row, so every lock is taken
 *   in id order before any update; the update finds each row already locked by this transaction.
 * - The stored rows come back from `ins` alone; the caller matches them to its sends by key (unique).
 */
const INSERT_BATCH = `WITH ok AS (
       SELECT t.ord, t.workspace_id, t.channel_id, t.sender_id, t.client_id, t.type, t.body, t.broad <> 0 AS broad
       FROM (SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
         $7::text[], $8::int[], $9::int[], $11::int[]) LIMIT cardinality($1::int[]))
         AS t(ord, workspace_id, channel_id, sender_id, client_id, type, body, moderator, exempt, broad)
       JOIN channels c ON c.id = t.channel_id AND c.workspace_id = t.workspace_id
       JOIN members mb ON mb.channel_id = t.channel_id AND mb.user_id = t.sender_id
       WHERE c.archived_at IS NULL AND mb.can_post
         AND ${mayPostSql("t.moderator")}
         AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.sender_id = t.sender_id AND x.client_id = t.client_id)
         AND (t.exempt = 1 OR NOT ${settingIsTrueSql("t.workspace_id", "$10")})
       ORDER BY t.channel_id, t.ord
       FOR UPDATE OF c
     ),
     bumped AS (
       UPDATE channels c SET last_seq = c.last_seq + n.cnt, last_message_at = now()
       FROM (SELECT channel_id, count(*)::bigint AS cnt FROM ok GROUP BY channel_id) n
       WHERE c.id = n.channel_id
       RETURNING c.id, c.last_seq - n.cnt AS base
     ),
     ins AS (
       INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, reply_to, mentions,
         body_hash, broad_mention)
       SELECT ok.workspace_id, ok.channel_id, ok.sender_id, ok.client_id,
         b.base + row_number() OVER (PARTITION BY ok.channel_id ORDER BY ok.ord), ok.type, ok.body, NULL,
         '{}'::bigint[], md5(ok.body), ok.broad
       FROM ok JOIN bumped b ON b.id = ok.channel_id
       ORDER BY ok.channel_id, ok.ord
       RETURNING *
     ),
     rd AS (
       UPDATE members mb SET last_read_seq = greatest(mb.last_read_seq, r.seq)
       FROM (SELECT channel_id, sender_id, max(seq) AS seq FROM ins GROUP BY channel_id, sender_id) r
       WHERE mb.channel_id = r.channel_id AND mb.user_id = r.sender_id
     ),
     ${LOG_STORED}
     SELECT ${MADE}, g.sender_id AS "senderId", g.client_id AS "clientId"
     FROM ins g
     ORDER BY g.channel_id, g.seq`;

/** Parameter references (`$n::type`) of one send's channel-row update. */
type BumpParams = Record<"ws" | "channel" | "sender" | "clientId" | "moderator" | "exempt" | "pause", string>;

/**
 * The CTE `name` that updates one send's channel row in place (its next number) when the send may be stored:
 * the sender a member who can post, the channel of the workspace and not archived, read-only only for
 * moderators, the key not stored yet, the workspace not paused unless the sender is exempt. The update takes
 * the row lock and Postgres checks every condition again on the row as locked.
 */
function bumpSql(name: string, p: BumpParams): string {
  return `${name} AS (
       UPDATE channels c SET last_seq = c.last_seq + 1, last_message_at = now()
       FROM members mb
       WHERE c.id = ${p.channel} AND c.workspace_id = ${p.ws} AND c.archived_at IS NULL
         AND mb.channel_id = c.id AND mb.user_id = ${p.sender} AND mb.can_post
         AND ${mayPostSql(p.moderator)}
         AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.sender_id = ${p.sender} AND x.client_id = ${p.clientId})
         AND (${p.exempt} = 1 OR NOT ${settingIsTrueSql(p.ws, p.pause)})
       RETURNING c.last_seq AS seq
     )`;
}

/**
 * The insert of the rows `rows` selects, the senders' read positions, the events, and what the statement
 * made of each stored message (`MADE`, and `more` columns to match it to its send).
 */
function storeSql(rows: string, more = ""): string {
  return `ins AS (
       INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, reply_to, mentions,
         body_hash, broad_mention)
       ${rows}
       RETURNING *
     ),
     rd AS (
       UPDATE members mb SET last_read_seq = greatest(mb.last_read_seq, g.seq)
       FROM ins g
       WHERE mb.channel_id = g.channel_id AND mb.user_id = g.sender_id
     ),
     ${LOG_STORED}
     SELECT ${MADE}${more}
     FROM ins g`;
}

/**
 * A lone send (one send in the batch, the usual case at a few sends a second): the same guarantees as
 * `INSERT_BATCH` in fewer plan nodes (no unnest, limit, sort, row-lock node, count, window or joins of the
 * CTEs): the channel's row is updated in place by the statement that checks the send, so the update takes the
 * row lock and Postgres checks every condition again on the row as locked (a channel archived or made
 * read-only meanwhile stores nothing). One row lock, so no order to keep. Scalar parameters: $1 workspace,
 * $2 channel, $3 sender, $4 client id, $5 type, $6 body, $7 moderator (1/0), $8 exempt (1/0), $9 the pause
 * setting, $10 broad mention (1/0/null). The generic plan is what a custom plan would be (keys by equality).
 */
const INSERT_ONE = `WITH ${
  bumpSql("bumped", {
    ws: "$1::bigint",
    channel: "$2::bigint",
    sender: "$3::bigint",
    clientId: "$4::text",
    moderator: "$7::int",
    exempt: "$8::int",
    pause: "$9::text",
  })
},
     ${
  storeSql(
    `SELECT $1::bigint, $2::bigint, $3::bigint, $4::text, b.seq, $5::text, $6::text, NULL, '{}'::bigint[],
         md5($6::text), $10::int <> 0
       FROM bumped b`,
  )
}`;

/** The most sends a batch may carry to take `smallStatement` (a statement per count, each built once). */
export const SMALL_MAX = 3;

/**
 * A few sends to distinct channels (2 to `SMALL_MAX`): `INSERT_ONE`'s update of the channel row once per
 * send, in one statement, instead of the grouped statement's unnest, sort, row-lock node, count and window.
 * The caller orders the sends by channel id; `ins` reads `bumped0`, `bumped1`, … in that order (an Append
 * runs its inputs one after the other, each to its end), so the channel rows are locked in id order, as the
 * grouped statement locks them, and two statements cannot deadlock. Each update takes its row's lock and
 * checks the send on the row as locked (read committed's recheck), as `INSERT_ONE` does. Distinct channels
 * only: a statement cannot update one row twice, so sends sharing a channel take the grouped statement.
 * Parameters: nine per send i at $9i+1 … $9i+9 (workspace, channel, sender, client id, type, body, moderator
 * 1/0, exempt 1/0, broad mention 1/0/null), then the pause setting ($9n+1).
 */
const small: string[] = [];
function smallStatement(n: number): string {
  if (small[n]) return small[n];
  const pause = `$${9 * n + 1}::text`;
  const p = (i: number, k: number) => `$${9 * i + k}`;
  const bumped = [], rows = [];
  for (let i = 0; i < n; i++) {
    bumped.push(bumpSql(`bumped${i}`, {
      ws: `${p(i, 1)}::bigint`,
      channel: `${p(i, 2)}::bigint`,
      sender: `${p(i, 3)}::bigint`,
      clientId: `${p(i, 4)}::text`,
      moderator: `${p(i, 7)}::int`,
      exempt: `${p(i, 8)}::int`,
      pause,
    }));
    rows.push(`SELECT ${p(i, 1)}::bigint, ${p(i, 2)}::bigint, ${p(i, 3)}::bigint, ${p(i, 4)}::text, b.seq,
         ${p(i, 5)}::text, ${p(i, 6)}::text, NULL::bigint, '{}'::bigint[], md5(${p(i, 6)}::text), ${
      p(i, 9)
    }::int <> 0
       FROM bumped${i} b`);
  }
  return small[n] = `WITH ${bumped.join(",\n     ")},
     ${storeSql(rows.join("\n       UNION ALL "), `, g.channel_id AS "channelId"`)}`;
}

/** A send's first eight scalar parameters (workspace, channel, sender, key, type, body, moderator, exempt). */
function sendParams(s: BatchSend): unknown[] {
  return [
    s.workspaceId,
    s.channelId,
    s.senderId,
    s.clientId,
    s.type,
    s.body,
    s.moderator ? 1 : 0,
    s.maintenanceExempt ? 1 : 0,
  ];
}

/** A send's broad-mention parameter: 1, 0, or null when the caller left it to the statement. */
function broadParam(s: BatchSend): number | null {
  return s.broadMention === undefined ? null : s.broadMention ? 1 : 0;
}

/**
 * `INSERT_BATCH`'s parameters: the sends' columns, each as the array literal Postgres reads (`{1,2}`,
 * `{"a","b\\"c"}`), then the pause setting ($10) and the broad-mention flags ($11). Built here in one pass:
 * postgres.js passes a string parameter on as it is, where for a JS array it calls a serialiser and runs two
 * regular expressions per element (`arraySerializer`); the text Postgres receives is the same (bench/notes/
 * driver_cost_per_statement.md). Numbers unquoted; text always quoted, `"` and `\` escaped with `\`; null
 * as `NULL`.
 */
function batchParams(sends: BatchSend[], pauseSetting: string): string[] {
  let ord = "{", ws = "{", ch = "{", snd = "{", cid = "{", type = "{", body = "{", mod = "{", exempt = "{";
  let broad = "{";
  for (let i = 0; i < sends.length; i++) {
    const s = sends[i], sep = i ? "," : "";
    ord += sep + i;
    ws += sep + s.workspaceId;
    ch += sep + s.channelId;
    snd += sep + s.senderId;
    cid += sep + quoted(s.clientId);
    type += sep + quoted(s.type);
    body += sep + quoted(s.body);
    mod += sep + (s.moderator ? 1 : 0);
    exempt += sep + (s.maintenanceExempt ? 1 : 0);
    broad += sep + (broadParam(s) ?? "NULL");
  }
  return [ord, ws, ch, snd, cid, type, body, mod, exempt].map((a) => a + "}").concat(
    pauseSetting,
    broad + "}",
  );
}

const ARRAY_SPECIAL = /["\\]/;
const ARRAY_SPECIALS = /["\\]/g;
/** `x` as a quoted element of an array literal (what postgres.js's `arraySerializer` makes of a string). */
const quoted = (x: string) => '"' + (ARRAY_SPECIAL.test(x) ? x.replace(ARRAY_SPECIALS, "\\$&") : x) + '"';

/**
 * Stores the sends the sender may post (a member who can post, channel not archived, read-only only for
 * moderators, the workspace not in maintenance unless the sender is exempt) whose key is not stored yet (a retry goes back to the caller), each with the next sequence
 * number of its channel in input order, appends each one's `message_received` event to its channel's
 * log, and moves each sender's read position to their last message — all in one statement, so one round
 * trip and one commit. Channel rows are locked in id order,
 * so concurrent batches never deadlock. Returns the stored messages with each one's index in `sends`; a
 * key stored by someone else meanwhile fails the whole statement (unique violation), so the caller can
 * fall back without leaving a gap. The log records the event and the message id, never a copy of the
 * message. Each message is what `toMessage` makes of its row in the shared message columns, built by
 * `freshMessage` from the send and what the statement made (`MADE`).
 */
export async function insertBatch(
  sql: Sql,
  sends: BatchSend[],
  /** The boolean workspace setting that pauses sends (maintenance) for senders who are not exempt. */
  pauseSetting: string,
): Promise<{ index: number; message: Message }[]> {
  if (sends.length === 1) {
    const s = sends[0];
    const rows = await sql.query<Record<string, unknown>>(INSERT_ONE, [
      ...sendParams(s),
      pauseSetting,
      broadParam(s),
    ]);
    return rows.map((r) => ({ index: 0, message: freshMessage(s, r) }));
  }
  if (sends.length <= SMALL_MAX && new Set(sends.map((s) => s.channelId)).size === sends.length) {
    // Distinct channels: locked in id order (the statement reads its sends in parameter order).
    const order = sends.map((_, i) => i).sort((a, b) => sends[a].channelId - sends[b].channelId);
    const params: unknown[] = [];
    for (const i of order) {
      const s = sends[i];
      params.push(...sendParams(s), broadParam(s));
    }
    params.push(pauseSetting);
    const rows = await sql.query<Record<string, unknown>>(smallStatement(sends.length), params);
    // One send per channel: a stored row's channel names its send.
    const index = new Map(sends.map((s, i) => [Number(s.channelId), i]));
    return rows.map((r) => {
      const i = index.get(Number(r.channelId))!;
      return { index: i, message: freshMessage(sends[i], r) };
    });
  }
  const rows = await sql.query<Record<string, unknown>>(INSERT_BATCH, batchParams(sends, pauseSetting));
  // A key appears at most once among stored rows (a second one fails the statement: unique violation).
  const index = new Map<string, number>();
  for (let i = 0; i < sends.length; i++) index.set(`${sends[i].senderId}:${sends[i].clientId}`, i);
  return rows.map((r) => {
    const i = index.get(`${r.senderId}:${r.clientId}`)!;
    return { index: i, message: freshMessage(sends[i], r) };
  });
}
