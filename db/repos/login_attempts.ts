/**
 * Login attempts for the throttle. Each attempt is a row per key (account+address, account, address),
 * written before the password is checked; a success marks its rows `ok`, and only rows after a key's
 * latest `ok` row count as failures. `reserve` runs under advisory locks on the keys, so concurrent
 * attempts on any number of instances are counted one after the other.
 */
import type { Sql } from "../client.ts";

export interface KeyCount {
  key: string;
  count: number;
  oldest: string | null;
}

/** Takes transaction-scoped locks on these keys, in a fixed order (no deadlock between two callers). */
export async function lockKeys(sql: Sql, keys: string[]): Promise<void> {
  for (const k of [...keys].sort()) {
    await sql.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7244103))", [k]);
  }
}

/** Failures per key since `since` and after the key's latest success (and up to row `upTo`, if given). */
export async function counts(sql: Sql, keys: string[], since: Date, upTo?: number): Promise<KeyCount[]> {
  return await sql.query<KeyCount>(
    `SELECT k.key, count(f.id)::int AS count, min(f.failed_at) AS oldest
     FROM unnest($1::text[]) AS k(key)
     LEFT JOIN login_failures f ON f.key = k.key AND f.failed_at > $2 AND NOT f.ok AND f.id <= $3
       AND f.id > coalesce((SELECT max(o.id) FROM login_failures o WHERE o.key = k.key AND o.ok), 0)
     GROUP BY k.key`,
    [keys, since, upTo ?? Number.MAX_SAFE_INTEGER],
  );
}

/** Did this key succeed since `since` (a known address for the account)? */
export async function succeededSince(sql: Sql, key: string, since: Date): Promise<boolean> {
  const r = await sql.query(
    "SELECT 1 FROM login_failures WHERE key = $1 AND ok AND failed_at > $2 LIMIT 1",
    [key, since],
  );
  return r.length > 0;
}

/** Records one attempt per key, counted as a failure until `succeed` says otherwise; returns the row ids. */
export async function insert(sql: Sql, keys: string[], at: Date): Promise<number[]> {
  const r = await sql.query<{ id: number }>(
    "INSERT INTO login_failures (key, failed_at) SELECT unnest($1::text[]), $2 RETURNING id",
    [keys, at],
  );
  return r.map((x) => x.id);
}

/** Marks these attempt rows successful (they reset their keys) and drops the rows they supersede. */
export async function succeed(sql: Sql, ids: number[]): Promise<void> {
  await sql.query(
    `WITH mine AS (UPDATE login_failures SET ok = true WHERE id = ANY($1::bigint[]) RETURNING id, key)
     DELETE FROM login_failures f USING mine WHERE f.key = mine.key AND f.id < mine.id`,
    [ids],
  );
}

/** Removes attempt rows (an address's row after a success: successes never count against it). */
export async function remove(sql: Sql, ids: number[]): Promise<void> {
  await sql.query("DELETE FROM login_failures WHERE id = ANY($1::bigint[])", [ids]);
}

/** Drops failures that fell out of the window for these keys (successes are kept: they mark known addresses). */
export async function prune(sql: Sql, keys: string[], before: Date): Promise<void> {
  await sql.query("DELETE FROM login_failures WHERE key = ANY($1::text[]) AND NOT ok AND failed_at < $2", [
    keys,
    before,
  ]);
}
