/**
 * `PgSocket` (db/pg_socket.ts), the socket postgres.js runs on: against loopback servers of our own for
 * what a socket must do as `node:net` does (events in order, backpressure, end, destroy, unix sockets), and
 * against the real Postgres server (TEST_DATABASE_URL) through `openDb` for the edge cases the driver meets:
 * the server ending a connection mid-query, a result split across many reads, a COPY that fills the socket.
 */
import assert from "node:assert/strict";
import { PgSocket } from "../../db/pg_socket.ts";
import { openDb } from "../../db/client.ts";
import { createHash } from "node:crypto";
import { dropPostgresUrl, postgresUrl } from "../helpers/db.ts";

/** Resolves with the event's arguments the first time `name` is emitted. */
const once = (s: PgSocket, name: string) => new Promise<unknown[]>((r) => s.once(name, (...a) => r(a)));

/** A loopback server that records every byte and each connection's end; `pauseMs` holds each read back. */
function server(opts: { unix?: string; pauseMs?: number } = {}) {
  const listener = opts.unix
    ? Deno.listen({ transport: "unix", path: opts.unix })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received: Uint8Array[] = [];
  const conns: Deno.Conn[] = [];
  const readers: Promise<void>[] = [];
  let eof = false;
  const done = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      readers.push((async () => {
        const buf = new Uint8Array(16 * 1024);
        try {
          while (true) {
            if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
            const n = await conn.read(buf);
            if (n === null) break;
            received.push(buf.slice(0, n));
          }
          eof = true;
        } catch {
          // closed by the test
        }
      })());
    }
  })();
  return {
    target: opts.unix
      ? { path: opts.unix }
      : { hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port },
    bytes: () => {
      const all = new Uint8Array(received.reduce((n, c) => n + c.length, 0));
      let off = 0;
      for (const c of received) all.set(c, off), off += c.length;
      return all;
    },
    sawEof: () => eof,
    conns,
    async close() {
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      listener.close();
      await done.catch(() => {});
      await Promise.all(readers);
    },
  };
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

Deno.test("PgSocket: writes of one turn arrive in order, end() flushes them, then 'finish' and 'close' (no error)", async () => {
  const srv = server();
  const s = new PgSocket(srv.target);
  try {
    assert.equal(s.readyState, "opening");
    const events: string[] = [];
    for (const e of ["connect", "finish", "end", "close", "error"]) s.on(e, () => events.push(e));
    // Written before the connection is up: kept until it is.
    assert.equal(s.write(new Uint8Array([1, 2])), true);
    assert.equal(s.write(new Uint8Array([3])), true);
    await once(s, "connect");
    assert.equal(s.readyState, "open");
    let called = false;
    s.write(new Uint8Array(10_000).fill(4), () => called = true);
    s.end(new Uint8Array([5]));
    assert.equal(s.readyState, "readOnly");
    await once(s, "finish");
    assert.ok(called, "the write's callback ran once its bytes were written");
    await until(srv.sawEof, "the server saw our end");
    // The server closes its side too: the socket ends and closes, without an error.
    srv.conns[0].close();
    const [hadError] = await once(s, "close");
    assert.equal(hadError, false);
    assert.deepEqual(events, ["connect", "finish", "end", "close"]);
    assert.equal(s.readyState, "closed");
    assert.deepEqual(srv.bytes(), new Uint8Array([1, 2, 3, ...new Uint8Array(10_000).fill(4), 5]));
  } finally {
    s.destroy();
    await srv.close();
  }
});

Deno.test("PgSocket: write() says false past 16 KB waiting, 'drain' follows, and every byte arrives in order", async () => {
  const srv = server({ pauseMs: 2 }); // a slow reader: the kernel's buffers fill
  const s = new PgSocket(srv.target);
  try {
    await once(s, "connect");
    const chunk = (i: number) => new Uint8Array(64 * 1024).fill(i % 256);
    let falses = 0, drains = 0;
    s.on("drain", () => drains++);
    for (let i = 0; i < 64; i++) { // 4 MB
      if (!s.write(chunk(i))) {
        falses++;
        await once(s, "drain");
      }
    }
    assert.ok(falses > 0, "write() returned false");
    assert.equal(drains, falses, "one 'drain' after each false");
    s.end();
    await once(s, "finish");
    await until(() => srv.bytes().length === 64 * 64 * 1024, "every byte arrived");
    const got = srv.bytes();
    for (let i = 0; i < 64; i++) assert.equal(got[i * 64 * 1024 + 1000], i % 256, `chunk ${i} in its place`);
  } finally {
    s.destroy();
    await srv.close();
  }
});

Deno.test("PgSocket: data comes as Buffers of its own (a later read does not change an earlier one)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const s = new PgSocket({ hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port });
  const conn = await listener.accept();
  try {
    const chunks: Uint8Array[] = [];
    s.on("data", (b: Uint8Array) => chunks.push(b));
    await conn.write(new Uint8Array([1, 1, 1]));
    await until(() => chunks.length === 1, "first read");
    await conn.write(new Uint8Array([2, 2]));
    await until(() => chunks.length === 2, "second read");
    assert.deepEqual([...chunks[0]], [1, 1, 1]);
    assert.deepEqual([...chunks[1]], [2, 2]);
    // pause(): nothing more is read until resume().
    s.pause();
    await new Promise((r) => setTimeout(r, 20)); // the read already waiting takes one more chunk at most
    const before = chunks.length;
    await conn.write(new Uint8Array([3]));
    await new Promise((r) => setTimeout(r, 50));
    await conn.write(new Uint8Array([4]));
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(chunks.length <= before + 1, "paused: at most the read in flight is delivered");
    s.resume();
    await until(() => chunks.flatMap((c) => [...c]).includes(4), "resumed");
  } finally {
    s.destroy();
    await once(s, "close");
    conn.close();
    listener.close();
  }
});

Deno.test("PgSocket: a refused connect is 'error' (ECONNREFUSED) then 'close' with hadError; destroy() while connecting closes quietly", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const s = new PgSocket({ hostname: "127.0.0.1", port });
  const events: unknown[] = [];
  s.on("error", (e: { code: string; port: number }) => events.push(`error ${e.code} ${e.port}`));
  const closed = once(s, "close");
  let wrote: unknown = "not called";
  s.write(new Uint8Array([1]), (err) => wrote = (err as { code?: string } | null)?.code ?? err);
  const [hadError] = await closed;
  assert.equal(hadError, true);
  assert.deepEqual(events, [`error ECONNREFUSED ${port}`]);
  assert.equal(wrote, "ECONNREFUSED", "a write waiting for the connection fails with it");
  assert.equal(s.readyState, "closed");

  const srv = server();
  const d = new PgSocket(srv.target);
  const errors: unknown[] = [];
  d.on("error", (e) => errors.push(e));
  d.destroy();
  const [quiet] = await once(d, "close");
  assert.equal(quiet, false);
  await new Promise((r) => setTimeout(r, 50)); // the connect that was under way ends, and is closed
  assert.deepEqual(errors, []);
  await srv.close();
});

Deno.test("PgSocket: the other side ending the connection is 'end' then 'close' (no error)", async () => {
  const srv = server();
  const s = new PgSocket(srv.target);
  try {
    const events: string[] = [];
    for (const e of ["end", "close", "error"]) s.on(e, () => events.push(e));
    await once(s, "connect");
    await until(() => srv.conns.length === 1, "accepted");
    srv.conns[0].close();
    const [hadError] = await once(s, "close");
    assert.equal(hadError, false);
    assert.deepEqual(events, ["end", "close"]);
  } finally {
    await srv.close();
  }
});

Deno.test("PgSocket: unix sockets, and a missing one is ENOENT", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/.s.PGSQL.5432`;
  const srv = server({ unix: path });
  const s = new PgSocket({ path });
  try {
    await once(s, "connect");
    s.write(new Uint8Array([9, 8, 7]));
    s.end();
    await once(s, "finish");
    await until(() => srv.bytes().length === 3, "the bytes arrived over the unix socket");
    assert.deepEqual([...srv.bytes()], [9, 8, 7]);
    const missing = new PgSocket({ path: `${dir}/nothing` });
    const [err] = await once(missing, "error");
    assert.equal((err as { code: string }).code, "ENOENT");
  } finally {
    s.destroy();
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Postgres on PgSocket: the server ending a connection mid-query rejects that query, and the pool goes on", async () => {
  const url = await postgresUrl();
  assert.ok(url, "TEST_DATABASE_URL is set by `deno task test`");
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  const admin = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  try {
    const [{ pid }] = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const slow = db.query("SELECT pg_sleep(30)").then(() => "answered", (err) => err.code ?? String(err));
    await new Promise((r) => setTimeout(r, 200));
    await admin.query("SELECT pg_terminate_backend($1::int)", [pid]);
    const outcome = await Promise.race([
      slow,
      new Promise((r) => setTimeout(() => r("still waiting"), 10_000)),
    ]);
    // The server says why (admin shutdown) before it closes; either way the query fails.
    assert.ok(outcome === "57P01" || outcome === "CONNECTION_CLOSED", `rejected: ${outcome}`);
    // One connection at most: the pool's slot was freed and a new connection answers. (postgres.js keeps the
    // server's goodbye, 57P01, and fails the first query of the next connection with it, on node:net alike.)
    const outcomes: unknown[] = [];
    let next = pid;
    for (let i = 0; i < 3 && next === pid; i++) {
      next = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid").then(
        ([r]) => r.pid,
        (err) => (outcomes.push(err.code), pid),
      );
    }
    assert.notEqual(next, pid, `a new connection answered (failures before it: ${outcomes})`);
    assert.ok(outcomes.length <= 1 && outcomes.every((c) => c === "57P01"), `${outcomes}`);
  } finally {
    await db.close();
    await admin.close();
    await dropPostgresUrl(url);
  }
});

Deno.test("Postgres on PgSocket: results far larger than a read (64 KB) arrive whole, side by side", async () => {
  const url = await postgresUrl();
  assert.ok(url, "TEST_DATABASE_URL is set by `deno task test`");
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 4 });
  try {
    const [wide, many, again] = await Promise.all([
      db.query<{ s: string }>("SELECT repeat('ab', $1::int) || 'end' AS s", [1_500_000]),
      db.query<{ g: number; h: string }>("SELECT g, md5(g::text) AS h FROM generate_series(1, $1::int) g", [
        30_000,
      ]),
      db.query<{ s: string }>("SELECT repeat('cd', $1::int) AS s", [200_000]),
    ]);
    assert.equal(wide[0].s.length, 3_000_003);
    assert.ok(wide[0].s.startsWith("abab") && wide[0].s.endsWith("abend"));
    assert.equal(many.length, 30_000);
    const check = await db.query<{ ok: boolean }>(
      "SELECT bool_and(md5(g::text) = h) AS ok FROM unnest($1::int[], $2::text[]) AS t(g, h)",
      [`{${many.map((r) => r.g).join(",")}}`, `{${many.map((r) => r.h).join(",")}}`],
    );
    assert.equal(check[0].ok, true);
    assert.deepEqual(many.map((r) => r.g), Array.from({ length: 30_000 }, (_, i) => i + 1));
    assert.equal(again[0].s, "cd".repeat(200_000));
  } finally {
    await db.close();
    await dropPostgresUrl(url);
  }
});

Deno.test("Postgres on PgSocket: a COPY larger than the socket takes at once waits for 'drain' and stores every byte", async () => {
  const url = await postgresUrl();
  assert.ok(url, "TEST_DATABASE_URL is set by `deno task test`");
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 2 });
  // The connections' sockets are PgSockets (made at the first query, after this), and one said "full".
  const write = PgSocket.prototype.write;
  let full = 0;
  PgSocket.prototype.write = function (this: PgSocket, ...args: Parameters<PgSocket["write"]>) {
    const ok = write.apply(this, args);
    if (!ok) full++;
    return ok;
  };
  try {
    await db.query("CREATE TABLE blobs (n int4 NOT NULL, d bytea NOT NULL)");
    const rows = Array.from(
      { length: 16 },
      (_, n) => [n, new Uint8Array(512 * 1024).map((_, i) => (i * 7 + n) % 256)],
    );
    await db.insertRows("blobs", [{ name: "n", type: "int4" }, { name: "d", type: "bytea" }], rows);
    assert.ok(full > 0, "the COPY filled the socket (write() returned false) at least once");
    const got = await db.query<{ n: number; len: number; h: string }>(
      "SELECT n, length(d) AS len, md5(d) AS h FROM blobs ORDER BY n",
    );
    assert.equal(got.length, 16);
    for (const [i, r] of got.entries()) {
      assert.equal(r.n, i);
      assert.equal(r.len, 512 * 1024);
      assert.equal(r.h, createHash("md5").update(rows[i][1] as Uint8Array).digest("hex"), `row ${i} as sent`);
    }
  } finally {
    PgSocket.prototype.write = write;
    await db.close();
    await dropPostgresUrl(url);
  }
});
