/**
 * Benchmark data made fast with set-based SQL straight into Parley's schema: a workspace, users with live
 * sessions (token = prefix + user id, stored as its SHA-256 like Parley's own sessions), public channels
 * of `group` members, and for the history workload a million messages from generate_series.
 */
import postgres from "postgres";
import * as jose from "jose";
import type { BenchUser } from "../loadgen/client.ts";

/**
 * How many people each bench user follows for presence (itself and 9 others: a sidebar's direct messages);
 * `BENCH_FOLLOWS=0` makes the hellos ask for no presence, as the bench's clients did before subscriptions.
 */
const FOLLOWS = Number(Deno.env.get("BENCH_FOLLOWS") ?? 10);

export type SqlClient = ReturnType<typeof postgres>;

export function connectSql(url: string): SqlClient {
  return postgres(url, { max: 2, onnotice: () => {}, types: { bigint: postgres.BigInt } });
}

/**
 * A running system has table statistics; bulk-filled tables have none until autovacuum comes by. Only tables
 * with rows are analyzed: statistics saying a table is empty (`messages` before a workload sends) make the
 * server's prepared statements plan for an empty table, and the grouped send's retry check then scanned
 * `messages` on every statement until autovacuum analyzed it again (bench/notes/cpu_per_message.md, "Where a
 * durable message's CPU goes", fifth pass). A live deployment never has that: autovacuum does not analyze a
 * table nobody has written.
 */
export async function analyzeFilled(sql: SqlClient): Promise<void> {
  const tables = await sql`SELECT relname FROM pg_class
    WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname`;
  for (const { relname } of tables) {
    const name = `"${String(relname).replaceAll('"', '""')}"`;
    const [{ filled }] = await sql.unsafe(`SELECT EXISTS (SELECT 1 FROM ${name}) AS filled`);
    if (filled) await sql.unsafe(`ANALYZE ${name}`);
  }
}

/** Creates (or recreates) a database on the cluster and returns its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const sql = connectSql(adminUrl);
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await sql.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await sql.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface Fixture {
  workspaceId: number;
  users: BenchUser[];
  /** Extra users, one per channel, who only send (reconnect storm). */
  senders: BenchUser[];
  channels: number[];
}

/**
 * `users` members in channels of `group` (user i is in channel floor(i / group)); with `senders`, one
 * more user per channel who is also a member.
 */
export async function makeFixture(
  sql: SqlClient,
  opts: { slug: string; users: number; group: number; senders?: boolean; tokenPrefix: string },
): Promise<Fixture> {
  const nChannels = Math.max(1, Math.ceil(opts.users / opts.group));
  const total = opts.users + (opts.senders ? nChannels : 0);
  const [ws] =
    await sql`INSERT INTO workspaces (slug, name) VALUES (${opts.slug}, ${opts.slug}) RETURNING id`;
  const workspaceId = Number(ws.id);
  await sql`INSERT INTO users (workspace_id, username, display_name, role)
    SELECT ${workspaceId}, 'u' || g, 'Bench User ' || g, 'member' FROM generate_series(1, ${total}) g`;
  const ids = (await sql`SELECT id FROM users WHERE workspace_id = ${workspaceId} ORDER BY id`).map((r) =>
    Number(r.id)
  );
  await sql`INSERT INTO sessions (token_hash, user_id, workspace_id, expires_at, user_agent)
    SELECT encode(sha256(convert_to(${opts.tokenPrefix} || id::text, 'UTF8')), 'hex'), id, ${workspaceId},
      now() + interval '7 days', 'bench'
    FROM users WHERE workspace_id = ${workspaceId}`;
  await sql`INSERT INTO channels (workspace_id, kind, name, created_by)
    SELECT ${workspaceId}, 'public_channel', 'bench-' || g, ${
    ids[0]
  } FROM generate_series(1, ${nChannels}) g`;
  const channels = (await sql`SELECT id FROM channels WHERE workspace_id = ${workspaceId} ORDER BY id`).map((
    r,
  ) => Number(r.id));
  const memberCh: number[] = [];
  const memberUser: number[] = [];
  const users: BenchUser[] = [];
  const senders: BenchUser[] = [];
  for (let i = 0; i < opts.users; i++) {
    const ch = channels[Math.floor(i / opts.group)];
    memberCh.push(ch);
    memberUser.push(ids[i]);
    // Like the web client: oneself and a few conversation partners (here the next users of the workspace).
    const follows = FOLLOWS > 0
      ? Array.from({ length: FOLLOWS }, (_, k) => ids[(i + k) % opts.users])
      : undefined;
    users.push({ id: ids[i], token: opts.tokenPrefix + ids[i], channels: [ch], follows });
  }
  if (opts.senders) {
    for (let j = 0; j < nChannels; j++) {
      const id = ids[opts.users + j];
      memberCh.push(channels[j]);
      memberUser.push(id);
      senders.push({ id, token: opts.tokenPrefix + id, channels: [channels[j]] });
    }
  }
  await sql`INSERT INTO members (channel_id, user_id, workspace_id)
    SELECT unnest(${memberCh}::bigint[]), unnest(${memberUser}::bigint[]), ${workspaceId}`;
  await analyzeFilled(sql);
  return { workspaceId, users, senders, channels };
}

/**
 * The same as `makeFixture`, spread over workspaces of `workspaceUsers` users each (the announcer reads
 * presence per workspace; before presence subscriptions it went to the whole workspace).
 */
export async function makeWorkspaces(
  sql: SqlClient,
  opts: {
    slug: string;
    users: number;
    group: number;
    senders?: boolean;
    tokenPrefix: string;
    workspaceUsers: number;
  },
): Promise<Fixture & { workspaces: number }> {
  const out: Fixture & { workspaces: number } = {
    workspaceId: 0,
    users: [],
    senders: [],
    channels: [],
    workspaces: 0,
  };
  for (let i = 0; i * opts.workspaceUsers < opts.users; i++) {
    const n = Math.min(opts.workspaceUsers, opts.users - i * opts.workspaceUsers);
    const f = await makeFixture(sql, { ...opts, slug: `${opts.slug}-${i}`, users: n });
    out.workspaceId ||= f.workspaceId;
    out.users.push(...f.users);
    out.senders.push(...f.senders);
    out.channels.push(...f.channels);
    out.workspaces++;
  }
  return out;
}

/** Socket.io baseline tokens: HS256 JWTs with the user id, as the Orvale design verifies them. */
export async function withJwts(users: BenchUser[], secret: string): Promise<BenchUser[]> {
  const key = new TextEncoder().encode(secret);
  return await Promise.all(users.map(async (u) => ({
    ...u,
    token: await new jose.SignJWT({ uid: u.id, username: `u${u.id}` }).setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("2h").sign(key),
  })));
}

/**
 * `perChannel` messages in each of `channels`, ids in time order across channels (as real traffic
 * interleaves), senders drawn from `senderIds`; channel sequences updated to match.
 */
export async function bulkMessages(
  sql: SqlClient,
  workspaceId: number,
  channels: number[],
  senderIds: number[],
  perChannel: number,
) {
  await sql`INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, type, body, created_at)
    SELECT ${workspaceId}, c.id, (${senderIds}::bigint[])[1 + (c.ord + s) % ${senderIds.length}],
      'gen-' || c.id || '-' || s, s, 'text',
      'Message ' || s || ' in channel ' || c.id || ': status update, the deploy went fine and the tickets are closed',
      now() - make_interval(secs => ${perChannel} - s)
    FROM generate_series(1, ${perChannel}) s
    CROSS JOIN unnest(${channels}::bigint[]) WITH ORDINALITY AS c(id, ord)
    ORDER BY s, c.ord`;
  await sql`UPDATE channels SET last_seq = ${perChannel}, last_message_at = now() WHERE id = ANY(${channels}::bigint[])`;
  await indexAllForSearch(sql);
  await sql`VACUUM ANALYZE messages`;
}

/**
 * Search rows for every message inserted directly (in one statement, as migration 0026 does), so the
 * server's background indexer does not index a generated million during the measurement.
 */
export async function indexAllForSearch(sql: SqlClient) {
  // As migration 0026 does: rows first, then the GIN indexes built in bulk. No anti-join: planned while the
  // table is empty, it was a nested loop re-scanning the table the statement fills (quadratic: 20,000 rows
  // took 4.7 s, a million did not finish in ten minutes).
  const indexes = await sql<{ name: string; def: string }[]>`SELECT indexname AS name, indexdef AS def
    FROM pg_indexes WHERE tablename = 'message_search' AND indexdef ILIKE '% USING gin %'`;
  for (const i of indexes) await sql.unsafe(`DROP INDEX ${i.name}`);
  await sql`INSERT INTO message_search (message_id, workspace_id, channel_id, sender_id, created_at, body_lower, tsv)
    SELECT id, workspace_id, channel_id, sender_id, created_at, lower(body), to_tsvector('english', body)
    FROM messages m
    WHERE deleted_at IS NULL ON CONFLICT (message_id) DO NOTHING`;
  for (const i of indexes) await sql.unsafe(i.def);
  await sql`INSERT INTO message_search_state (low) SELECT max(id) FROM messages HAVING max(id) IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET low = greatest(message_search_state.low, excluded.low)`;
  await sql`VACUUM ANALYZE message_search`;
}
