/**
 * One `Db` interface over postgres.js (real Postgres) and PGlite (embedded Postgres in WASM).
 * Repos write plain SQL with `$1` placeholders and never know which engine runs it.
 *
 * @example
 * const db = await openDb({ databaseUrl: undefined, dataDir: "./data" });
 * const rows = await db.query<{ n: number }>("select 1 as n");
 */
import postgres from "postgres";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { type CopyColumn, copyHeader, copyRow, copyStatement, copyTrailer } from "./copy_binary.ts";
import { copyDataHeader, type CopySockets, copySockets } from "./pg_copy_socket.ts";
import { pgTarget } from "./pg_url.ts";
import { timestampToIso } from "./timestamps.ts";

export type { CopyColumn } from "./copy_binary.ts";

export type Row = Record<string, unknown>;

/** Something that runs SQL: the pool, or a transaction. */
export interface Sql {
  query<T = Row>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Sql {
  readonly engine: "postgres" | "pglite";
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; returns a function that stops listening. */
  /**
   * Inserts `rows` (values in the order of `columns`) into `table` in one transaction; resolves once they
   * are committed, rejects (and inserts nothing) otherwise. Postgres streams them with a binary COPY, so
   * bytes go to the server as they are (a bytea parameter would go as hex text); PGlite runs INSERTs.
   * `table` and the column names are the caller's fixed identifiers, never user input.
   */
  insertRows(table: string, columns: CopyColumn[], rows: unknown[][]): Promise<void>;
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
  /**
   * PGlite only: the whole data directory as a gzipped tarball, taken between two transactions (PGlite is
   * one session, so nothing writes meanwhile): a consistent backup that `loadDataDir` opens again.
   */
  dumpDataDir?(): Promise<Blob>;
}

const toIso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

function normalise<T>(rows: Row[]): T[] {
  for (const row of rows) {
    for (const k in row) {
      const v = row[k];
      if (v instanceof Date) row[k] = v.toISOString();
      else if (typeof v === "bigint") row[k] = Number(v);
    }
  }
  return rows as T[];
}

export interface OpenDbOptions {
  databaseUrl?: string;
  /** Folder for PGlite's files; `memory://` keeps everything in memory (tests). */
  dataDir: string;
  /** PGlite only: start from this data directory dump (`dumpDataDir()`) instead of running initdb. */
  loadDataDir?: Blob;
  maxConnections?: number;
  /**
   * Postgres only: commit without waiting for the WAL flush (`synchronous_commit=off`). For connections
   * whose writes need no durability, such as NOTIFY: each one is otherwise a commit that waits for fsync.
   */
  asyncCommit?: boolean;
  /**
   * Postgres only, tests only: postgres.js's `max_pipeline` (queries sent ahead on one connection; its
   * default, 100, when unset). A small one puts a transaction's BEGIN at the pipeline's end on demand.
   */
  maxPipeline?: number;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.maxConnections ?? 10, opts.asyncCommit ?? false, opts.maxPipeline)
    : await openPglite(opts.dataDir, opts.loadDataDir);
}

/** The fields of a postgres.js `Query` (src/query.js, 3.4.x) that `settled` replaces or calls. */
interface QueryShape {
  resolve: (x: unknown) => void;
  reject: (err: unknown) => void;
  active: boolean;
  executed: boolean;
  /** Starts the query (postgres.js's documented `.execute()`: what `then` and `catch` do first). */
  execute(): unknown;
  /** The statement's inputs: our parameters, their serialised text, and the prepared-statement lookup key. */
  args: unknown[];
  parameters?: unknown[];
  signature: string | false;
  /** The statement's text (`[text]`, an array of its own per query) and our options object. */
  strings: unknown;
  options: unknown;
}

/** What a settled `Query`'s inputs become (one shared array, so no allocation and no shape change). */
const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];
/** What a settled `Query`'s options become. */
const NO_OPTIONS = Object.freeze({});
/** What a settled `Query`'s `resolve` and `reject` become: postgres.js may reject a query it already settled. */
const SETTLED = () => {};

/**
 * Whether `q` is a postgres.js `Query` of the shape `settled` knows: not started yet, with its settle
 * closures as its own fields.
 */
export function settleable(q: unknown): q is QueryShape {
  const o = q as Partial<QueryShape>;
  return q instanceof Promise && Object.hasOwn(q, "resolve") && Object.hasOwn(q, "reject") &&
    typeof o.resolve === "function" && typeof o.reject === "function" && o.executed === false &&
    typeof o.active === "boolean" && typeof o.execute === "function" && Object.hasOwn(q, "strings") &&
    Object.hasOwn(q, "options");
}

/**
 * What a postgres.js query resolves with, without it and the query surviving V8's young-generation
 * scavenges.
 *
 * Why (bench/notes/surviving_queries.md; before it gc_and_heap.md, sixth, eighth and thirteenth passes):
 * `Query`'s constructor stores two arrow functions straight into properties (`this.resolve = x =>
 * (this.active = false, resolve(x))`, and `this.reject` alike). V8's parser pretenures a function literal
 * assigned to a property: those two closures are allocated in the old generation, only a mark-compact frees
 * them, and until then the scavenger takes their (young) context as a root through the remembered set. The
 * context holds the `Query` (`this`) and its promise's resolving functions, so every finished `Query` and
 * whatever it references are copied and promoted at the next scavenges, dead or not, until a mark-compact.
 *
 * So a finished `Query` must reference as little as possible, and no promise of ours:
 * - its `resolve` and `reject` fields (connection.js calls `query.resolve(result)` at ReadyForQuery and
 *   `query.reject(err)` on an error; nothing else settles a query of ours) are the raw `resolve` / `reject`
 *   of a promise of ours while it runs, and a shared no-op once it settled (so neither the rows nor our
 *   promise are reachable from it). postgres.js may reject a query again after it settled: when the server
 *   ends a connection (tests/db/client_tx_test.ts), the query in flight is rejected as the socket closes,
 *   and again at the reconnected connection's first ReadyForQuery (`errored`, with the goodbye and that
 *   query still kept); that goes nowhere, as it went to an emptied handler before. The `Query` promise itself never settles and has
 *   no reaction: nothing awaits it (our transactions watch our promise, not the `Query`), and `.execute()`
 *   starts it as `then` / `catch` would, without adding a reaction (a `catch` reaction, its derived promise
 *   and closure were kept with every `Query`). The error is the same object postgres.js made.
 * - once settled, its inputs and options go: our parameters (a grouped send's bodies, ids and keys as
 *   array literals), their serialised text (`parameters`), the lookup key (`signature`: the statement's
 *   text flattened afresh for each query), `strings` (`[text]`) and the options object. postgres.js reads
 *   none of them once the query settled (a retry or a statement's caching happen before; an error keeps
 *   its own references).
 * `active` (cleared by the closures we bypass) is read by `cancel()` and cursors, neither used on this path;
 * it is cleared here. A `Query` of another shape (a later postgres.js) is awaited as it is;
 * tests/db/query_settle_test.ts fails when a finished query keeps its rows, inputs or our promise again.
 */
async function settled<T>(q: PromiseLike<T>): Promise<T> {
  if (!settleable(q)) return await q;
  const ours = Promise.withResolvers<T>();
  q.resolve = ours.resolve as (x: unknown) => void;
  q.reject = ours.reject;
  q.execute();
  try {
    return await ours.promise;
  } finally {
    q.resolve = SETTLED;
    q.reject = SETTLED;
    q.active = false;
    q.args = NO_ARGS;
    if (q.parameters) q.parameters = NO_ARGS;
    q.signature = "";
    q.strings = NO_ARGS;
    q.options = NO_OPTIONS;
  }
}

function openPostgres(url: string, max: number, asyncCommit: boolean, maxPipeline?: number): Db {
  const sockets = copySockets();
  const target = pgTarget(url);
  const sql = postgres(target.url, {
    ...target.options,
    max,
    ...(maxPipeline ? { max_pipeline: maxPipeline } : {}),
    // Not in postgres.js's types, but one of its options (its `connect` resolves once connected).
    ...({ socket: sockets.connect } as Record<string, unknown>),
    onnotice: () => {},
    types: {
      // Timestamps as ISO strings (what the API and events carry), not Date objects.
      date: {
        to: 1184,
        from: [1082, 1114, 1184],
        serialize: (x: Date | string) => (x instanceof Date ? x : new Date(x)).toISOString(),
        parse: timestampToIso,
      },
      // int8 as JS numbers: ids and sequence numbers stay far below 2^53.
      bigint: { to: 20, from: [20], parse: (x: string) => Number(x), serialize: (x: number) => String(x) },
      // JSON parameters: a string is JSON text already (as on PGlite); postgres.js would encode it again.
      json: {
        to: 114,
        from: [114, 3802],
        parse: (x: string) => JSON.parse(x),
        serialize: (x: unknown) => (typeof x === "string" ? x : JSON.stringify(x)),
      },
    },
    // No JIT: Postgres compiles any statement whose plan is priced over `jit_above_cost`, and the search
    // indexer's pass (a window above a watermark the planner cannot see, priced at a third of `messages`)
    // crosses it at a few hundred thousand messages: ~22 ms of compilation per pass (every 200 ms under
    // sends) for a statement that runs in 0.1 ms (bench/notes/history_page.md, "History tail, the idle heap
    // and JIT", tenth pass).
    connection: {
      application_name: "parley",
      jit: "off",
      ...(asyncCommit ? { synchronous_commit: "off" } : {}),
    },
  });
  const run = (s: postgres.Sql | postgres.TransactionSql) => ({
    async query<T>(text: string, params: unknown[] = []) {
      // With parameters: prepared (per connection, by text). The repos' SQL is fixed text, so each statement
      // is parsed and planned once per connection instead of on every call. Without: as given (migrations
      // are several statements in one text, which a prepared statement cannot be).
      // deno-lint-ignore no-explicit-any
      const rows = await settled(s.unsafe(text, params.map(toIso) as any[], { prepare: params.length > 0 }));
      // A plain array, as PGlite gives (postgres.js returns an Array subclass with extra fields). Types come
      // out as the repos want them already (see `types` above), so rows need no second pass.
      return Array.from(rows as unknown as Row[]) as T[];
    },
  });
  const base = run(sql);
  return {
    engine: "postgres",
    query: base.query,
    tx: (fn) =>
      transaction(sql, (t, watch) => fn({ query: (text, params) => watch(run(t).query(text, params)) })),
    insertRows: (table, columns, rows) => copyIn(sql, sockets, table, columns, rows),
    async listen(channel, onPayload) {
      const { unlisten } = await sql.listen(channel, onPayload);
      return unlisten;
    },
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    async close() {
      await sql.end({ timeout: 2 });
    },
  };
}

/**
 * Runs `fn` in one transaction on a connection of its own: it commits when `fn` resolves and rolls back when
 * it throws (or when a statement of it failed, even one whose error `fn` caught, as `sql.begin` does: the
 * transaction is aborted then, and COMMIT would roll it back without an error). `watch` wraps each of
 * `fn`'s statements so their failures are seen.
 *
 * Not `sql.begin`: postgres.js 3.4.9 reserves `begin`'s connection only after BEGIN was sent and only if
 * that connection still takes more queries (src/connection.js `execute()`: `write(...) && ... && sent.length
 * < max_pipeline && onexecute(connection)`). A BEGIN that fills a connection's pipeline (100 queries) or
 * meets socket backpressure is sent on a connection left in the pool: the transaction fails with
 * UNSAFE_TRANSACTION, the session stays inside it, and the pool's next queries on that connection run in it,
 * never committed (porsager/postgres #823, #1189; tests/db/client_tx_test.ts). `sql.reserve()` takes an
 * idle connection (or waits for one) and marks it reserved before anything is sent on it.
 *
 * The connection goes back to the pool only outside a transaction: after COMMIT, or after ROLLBACK
 * succeeded. A connection that closed (a socket or connection error, or the server's FATAL) is not released
 * and nothing more is sent on it: postgres.js has taken it back already (its `onclose` clears the
 * reservation), and a query sent on a closed connection would throw outside any promise (its socket is
 * null). The server ended that session, and its transaction with it.
 */
async function transaction<T>(
  sql: postgres.Sql,
  fn: (t: postgres.ReservedSql, watch: <U>(p: Promise<U>) => Promise<U>) => Promise<T>,
): Promise<T> {
  const t = await sql.reserve();
  let failed: { err: unknown } | null = null;
  let gone = false;
  const note = (err: unknown) => {
    failed ??= { err };
    gone ||= connectionGone(err);
  };
  const watch = <U>(p: Promise<U>) =>
    p.catch((err) => {
      note(err);
      throw err;
    });
  let idle = false;
  try {
    await watch(t.unsafe("BEGIN"));
    const out = await fn(t, watch);
    if (failed) throw (failed as { err: unknown }).err;
    await watch(t.unsafe("COMMIT"));
    idle = true;
    return out;
  } catch (err) {
    note(err);
    if (!gone) idle = await t.unsafe("ROLLBACK").then(() => true, (e) => (gone ||= connectionGone(e), false));
    throw err;
  } finally {
    // Neither committed nor rolled back on a live connection (ROLLBACK failed without the connection
    // closing, which Postgres does not do): the connection stays reserved, out of the pool, rather than go
    // back to it inside a transaction.
    if (idle) t.release();
  }
}

/**
 * Whether `err` says the connection is gone: postgres.js's connection errors (CONNECTION_CLOSED,
 * CONNECTION_DESTROYED, CONNECTION_ENDED, CONNECT_TIMEOUT) and the socket's system errors carry `errno`;
 * the server's FATAL or PANIC precede its closing the connection.
 */
function connectionGone(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const severity = (err as { severity?: unknown }).severity;
  return "errno" in err || severity === "FATAL" || severity === "PANIC";
}

/**
 * `rows` through one binary `COPY ... FROM STDIN` in a transaction of its own connection.
 *
 * postgres.js gives the COPY as a Node Writable. Two things it does not do are done here: it rejects
 * nothing when the server refuses the data after the last chunk (the error arrives once the stream has
 * ended, and its 'finish' never comes), and a query may not be sent until the stream has sent CopyDone.
 * So: write with backpressure, end, wait until CopyDone went out, then run one more statement in the
 * transaction: it fails when the COPY failed (the transaction is aborted), and the transaction rolls back.
 *
 * The data does not go through the Writable, which copies every chunk into a new CopyData message: the
 * first chunk does, and tells which socket the connection writes to (`CopySockets.capture`); the rest is
 * written to that socket after CopyData headers of our own, chunks as they are (a failure still arrives
 * as the Writable's 'error'). CopyDone goes through the Writable (`end`), after the data on the same socket.
 * Without a captured socket (TLS) everything goes through the Writable. Measured on 20 concurrent 10 MB
 * uploads: the server's peak RSS rise 111-114 MB through the Writable, 43-44 MB this way
 * (bench/notes/search_and_files.md).
 */
async function copyIn(
  sql: postgres.Sql,
  sockets: CopySockets,
  table: string,
  columns: CopyColumn[],
  rows: unknown[][],
) {
  if (!rows.length) return;
  const statement = copyStatement(table, columns);
  await transaction(sql, async (t) => {
    const w = await t.unsafe(statement).writable();
    let failure: unknown = null;
    const failed = new Promise<void>((resolve) =>
      w.once("error", (err) => {
        failure = err;
        resolve();
      })
    );
    // The stream's final step sends CopyDone; note when it ran (only then may another query be sent).
    const final = w._final;
    const copyDone = new Promise<void>((resolve) => {
      w._final = (cb: (err?: Error | null) => void) => {
        final.call(w, cb);
        resolve();
      };
    });
    const write = async (chunk: Uint8Array) => {
      if (failure) throw failure;
      if (!w.write(chunk)) await Promise.race([new Promise((r) => w.once("drain", r)), failed]);
    };
    // The rest straight to the connection's socket when it is known (see pg_copy_socket.ts): no copy.
    let socket: ReturnType<CopySockets["capture"]> = null;
    const direct = async (chunk: Uint8Array) => {
      if (failure) throw failure;
      const a = socket!.write(copyDataHeader(chunk.length));
      if (!socket!.write(chunk) || !a) {
        await Promise.race([new Promise((r) => socket!.once("drain", r)), failed]);
      }
    };
    try {
      let ready = true;
      socket = sockets.capture(() => ready = w.write(copyHeader()));
      if (!ready) await Promise.race([new Promise((r) => w.once("drain", r)), failed]);
      const send = socket ? direct : write;
      for (const row of rows) for (const chunk of copyRow(columns, row)) await send(chunk);
      await send(copyTrailer());
    } catch (err) {
      w.destroy(err as Error); // sends CopyFail: the server stores none of it
      throw err;
    }
    w.end();
    await Promise.race([copyDone, failed]);
    if (failure) throw failure;
    await t.unsafe("SELECT 1");
  });
}

/** Extensions the migrations create (`pg_trgm` for substring search); PGlite loads them at start. */
export const PGLITE_EXTENSIONS = { pg_trgm };

async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<Db> {
  if (!dataDir.startsWith("memory://")) await Deno.mkdir(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir, {
    parsers: { 20: (x: string) => Number(x) },
    loadDataDir,
    extensions: PGLITE_EXTENSIONS,
  });
  // PGlite is single-connection: queue transactions so one never interleaves with another.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => {});
    return next;
  };
  const q = async <T>(t: { query: PGlite["query"] }, text: string, params: unknown[] = []) =>
    normalise<T>((await t.query<Row>(text, params.map(toIso))).rows);
  return {
    engine: "pglite",
    query: (text, params) => serial(() => q(pg, text, params)),
    tx: (fn) => serial(() => pg.transaction((t) => fn({ query: (text, params) => q(t, text, params) }))),
    insertRows: (table, columns, rows) =>
      serial(() =>
        pg.transaction(async (t) => {
          const text = `INSERT INTO ${table} (${columns.map((c) => c.name).join(", ")}) VALUES (${
            columns.map((_, i) => `$${i + 1}`).join(", ")
          })`;
          for (const row of rows) await t.query(text, row);
        })
      ),
    async listen(channel, onPayload) {
      const unlisten = await pg.listen(channel, onPayload);
      return async () => await unlisten();
    },
    async notify(channel, payload) {
      await serial(() => pg.query("select pg_notify($1, $2)", [channel, payload]));
    },
    async close() {
      await serial(() => pg.close());
    },
    dumpDataDir: () =>
      serial(async () => {
        await pg.exec("CHECKPOINT");
        return await pg.dumpDataDir("gzip");
      }),
  };
}
