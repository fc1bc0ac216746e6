/**
 * The search rows of messages (`message_search`, migration 0026), written off the send path: by the
 * background indexer in batches (`domain/search_indexer.ts`), by an edit and a delete in their own
 * transactions. The queries that read them are in `search.ts`.
 */
import type { Sql } from "../client.ts";

/** What the indexer needs to know which ids can no longer appear late (see `SearchIndexer`). */
export interface Clock {
  /** The server's clock now, µs since the epoch. */
  now: number;
  /**
   * The start (µs since the epoch) of the oldest transaction open in another client session of this
   * database; null: none. With `track_activities` off Postgres does not say, and it is taken as ten minutes
   * ago.
   */
  oldest: number | null;
  /** The last id the message sequence handed out (committed or not); null: none yet. */
  seq: number | null;
  /** The shared watermark (`message_search_state.low`, 0 without a row). */
  low: number;
  /**
   * The life of the search tables the watermark belongs to (`message_search_state.generation`, migration 0033);
   * null: no state row (never made yet, or emptied with the search rows by a crash).
   */
  generation: number | null;
}

/**
 * The clock read inside the pass (issue 16, seventh pass): the backends' activity straight from
 * `pg_stat_get_activity` (the `pg_stat_activity` view joins `pg_database` and `pg_authid` for every call:
 * ~0.6 ms of the ~1 ms a separate clock statement cost, against ~0.25 ms here), and no statement of its own.
 * Read during the pass, so it says nothing about what the pass's own snapshot saw: it serves the next pass
 * (`SearchIndexer`).
 */
const CLOCK = `(extract(epoch FROM clock_timestamp()) * 1e6)::bigint AS now,
  (extract(epoch FROM CASE WHEN current_setting('track_activities')::bool THEN
     (SELECT min(a.xact_start) FROM pg_stat_get_activity(NULL) a
      WHERE a.xact_start IS NOT NULL AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
        AND a.datid = (SELECT oid FROM pg_database WHERE datname = current_database()))
   ELSE clock_timestamp() - interval '10 minutes' END) * 1e6)::bigint AS oldest,
  pg_sequence_last_value(pg_get_serial_sequence('messages', 'id')::regclass) AS seq,
  coalesce((SELECT low FROM message_search_state), 0) AS low,
  (SELECT generation FROM message_search_state) AS generation`;

/** What a pass did, and the clock it read (for the next pass). */
export interface Pass {
  /** Messages picked (at most `limit`). */
  picked: number;
  /** The highest id picked; null: none. */
  last: number | null;
  /** Rows stored (picked, less those another instance or an edit stored first). */
  stored: number;
  clock: Clock;
}

/**
 * The pass's statement (`indexAbove`): $1 the watermark, $2 the batch size. The window starts at the higher
 * of `$1` and the shared watermark, so an instance's first pass after a start (its own watermark still 0)
 * does not walk every message below what the instances already indexed (~2.5 s of Postgres at 1,000,000
 * messages; bench/notes/history_page.md, "History tail and the floor of a request", ninth pass).
 */
export const INDEX_ABOVE = `WITH c AS (
   SELECT m.id, m.workspace_id, m.channel_id, m.sender_id, m.created_at, m.body FROM messages m
   WHERE m.id > greatest($1::bigint, (SELECT coalesce(max(low), 0) FROM message_search_state))
     AND m.deleted_at IS NULL
     AND (SELECT true FROM message_search s WHERE s.message_id = m.id) IS NULL
   ORDER BY m.id LIMIT $2 FOR SHARE OF m),
 ins AS (
   INSERT INTO message_search (message_id, workspace_id, channel_id, sender_id, created_at, body_lower, tsv)
   SELECT id, workspace_id, channel_id, sender_id, created_at, lower(body), to_tsvector('english', body)
   FROM c ORDER BY id
   ON CONFLICT (message_id) DO NOTHING RETURNING 1)
 SELECT (SELECT count(*) FROM c)::int AS picked, (SELECT max(id) FROM c) AS last,
   (SELECT count(*) FROM ins)::int AS stored, ${CLOCK}`;

/**
 * Indexes up to `limit` live messages above `low` (or the shared watermark, when higher) that have no search row
 * yet, lowest ids first, in one statement, and reads the clock (`Clock`) as it runs. "No search row yet" is a probe
 * of the primary key per message of the window (a subquery Postgres cannot turn into a join): as `NOT EXISTS` it
 * became an anti join, and the plan cache's generic plan (chosen after five runs whenever the first windows were
 * priced large, e.g. from a watermark of 0) hashed all of `message_search` on every pass. Each message is locked
 * `FOR SHARE` while it is indexed, so a delete or edit committing meanwhile is either waited for (and the message,
 * re-read, is skipped when deleted) or waits for this statement (and then removes or rewrites the row itself): a
 * deleted message never keeps a row. Rows that another instance or an edit stored first are left as they are.
 */
export async function indexAbove(sql: Sql, low: number, limit: number): Promise<Pass> {
  const [r] = await sql.query<
    { picked: number; last: number | null; stored: number } & Record<keyof Clock, number | null>
  >(
    INDEX_ABOVE,
    [low, limit],
  );
  return {
    picked: r.picked,
    last: r.last == null ? null : Number(r.last),
    stored: r.stored,
    clock: {
      now: Number(r.now),
      oldest: r.oldest == null ? null : Number(r.oldest),
      seq: r.seq == null ? null : Number(r.seq),
      low: Number(r.low),
      generation: r.generation == null ? null : Number(r.generation),
    },
  };
}

/**
 * Raises the shared watermark of `generation`: every id at or below `to` is indexed, deleted or was never
 * committed. Nothing when the state row is of another generation or gone (the search tables were emptied
 * since that watermark was reached: it no longer holds).
 */
export async function raiseLow(sql: Sql, generation: number, to: number): Promise<void> {
  await sql.query(
    "UPDATE message_search_state SET low = $2 WHERE generation = $1 AND low < $2",
    [generation, to],
  );
}

/**
 * The generation of the search tables, starting one (watermark 0) when there is no state row: the tables are
 * new, or a crash emptied them (both unlogged, migration 0033). Instances starting one at once get the same.
 */
export async function startGeneration(sql: Sql): Promise<number> {
  await sql.query("INSERT INTO message_search_state (low) VALUES (0) ON CONFLICT (id) DO NOTHING");
  const [r] = await sql.query<{ generation: number }>("SELECT generation FROM message_search_state");
  if (!r) throw new Error("the search state row went as it was made (a crash): try again");
  return Number(r.generation);
}
