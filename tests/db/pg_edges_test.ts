/**
 * The driver's sockets (db/pg_copy_socket.ts `copySockets`, `node:net`) on the real Postgres server
 * (TEST_DATABASE_URL) through `openDb`, at their edges: the server ending a connection mid-query, a result
 * split across many reads, a COPY that fills the socket (its writes wait for 'drain').
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import net from "node:net";
import { openDb } from "../../db/client.ts";
import { dropPostgresUrl, postgresUrl } from "../helpers/db.ts";

Deno.test("Postgres: the server ending a connection mid-query rejects that query, and the pool goes on", async () => {
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
    // One connection at most: the pool's slot was freed and a new connection answers. (postgres.js 3.4.9 keeps
    // the server's goodbye, 57P01, and may fail the first query of the next connection with it.)
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

Deno.test("Postgres: results far larger than a socket read (64 KB) arrive whole, side by side", async () => {
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

Deno.test("Postgres: a COPY larger than the socket takes at once waits for 'drain' and stores every byte", async () => {
  const url = await postgresUrl();
  assert.ok(url, "TEST_DATABASE_URL is set by `deno task test`");
  const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  // Postgres may read as fast as the client writes (then no write reports the socket full): the COPY's
  // backend (the pool's one connection) is stopped at the COPY's first large write and resumed once a write
  // said "full" (or after 2 s), so the COPY's writes must wait for 'drain'.
  // Patched before the first query: the connection's socket is made then, and keeps the write it saw.
  const write = net.Socket.prototype.write;
  let pid = 0;
  let full = 0;
  let stopped = false;
  let resume: ReturnType<typeof setTimeout> | undefined;
  const cont = () => {
    clearTimeout(resume);
    Deno.kill(pid, "SIGCONT");
  };
  net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
    if (!stopped && (args[0] as Uint8Array).length > 64 * 1024) {
      stopped = true;
      Deno.kill(pid, "SIGSTOP");
      resume = setTimeout(cont, 2000);
    }
    // deno-lint-ignore no-explicit-any
    const ok = (write as any).apply(this, args);
    if (!ok && full++ === 0 && stopped) setTimeout(cont, 50);
    return ok;
  } as typeof write;
  try {
    [{ pid }] = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    await db.query("CREATE TABLE blobs (n int4 NOT NULL, d bytea NOT NULL)");
    const rows = Array.from(
      { length: 32 },
      (_, n) => [n, new Uint8Array(512 * 1024).map((_, i) => (i * 7 + n) % 256)],
    );
    await db.insertRows("blobs", [{ name: "n", type: "int4" }, { name: "d", type: "bytea" }], rows);
    assert.ok(stopped, "the COPY wrote more than 64 KB at once");
    assert.ok(full > 0, "the COPY filled the socket (write() returned false) at least once");
    const got = await db.query<{ n: number; len: number; h: string }>(
      "SELECT n, length(d) AS len, md5(d) AS h FROM blobs ORDER BY n",
    );
    assert.equal(got.length, 32);
    for (const [i, r] of got.entries()) {
      assert.equal(r.n, i);
      assert.equal(r.len, 512 * 1024);
      assert.equal(r.h, createHash("md5").update(rows[i][1] as Uint8Array).digest("hex"), `row ${i} as sent`);
    }
  } finally {
    net.Socket.prototype.write = write;
    if (stopped) cont();
    await db.close();
    await dropPostgresUrl(url);
  }
});
