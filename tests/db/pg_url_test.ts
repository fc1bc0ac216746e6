/**
 * DATABASE_URL in the Unix-socket form (db/pg_url.ts): what postgres.js is given for it, and, on the test
 * Postgres when its socket is on this host, queries, LISTEN/NOTIFY and a COPY through the socket.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { openDb } from "../../db/client.ts";
import { pgTarget, splitPassword } from "../../db/pg_url.ts";
import { dropPostgresUrl, postgresUrl } from "../helpers/db.ts";

Deno.test("pgTarget: the socket form's directory goes to postgres.js's host option, its port to the URL", () => {
  assert.deepEqual(pgTarget("postgres://app@/parley?host=/run/postgresql"), {
    url: "postgres://app@localhost/parley",
    options: { host: "/run/postgresql" },
  });
  assert.deepEqual(pgTarget("postgres://app:s%40cret@/parley?host=%2Ftmp%2Fpg&port=5433&sslmode=disable"), {
    url: "postgres://app:s%40cret@localhost:5433/parley?sslmode=disable",
    options: { host: "/tmp/pg" },
  });
  assert.deepEqual(pgTarget("postgresql:///parley?port=6000&host=/tmp"), {
    url: "postgresql://localhost:6000/parley",
    options: { host: "/tmp" },
  });
  // A host named in the URL keeps its port unless the query gives one.
  assert.deepEqual(pgTarget("postgres://app@ignored:7000/parley?host=/tmp"), {
    url: "postgres://app@localhost:7000/parley",
    options: { host: "/tmp" },
  });
  // Anything else is left as it is (a `host` that is not a directory is not the socket form).
  for (
    const url of [
      "postgres://app@127.0.0.1:5432/parley",
      "postgres://app@db.example/parley?sslmode=require",
      "postgres://app@db.example/parley?host=other.example",
    ]
  ) assert.deepEqual(pgTarget(url), { url, options: {} });
});

Deno.test("splitPassword: the password leaves the URL (pg_dump's PGPASSWORD), socket form included", () => {
  assert.deepEqual(splitPassword("postgres://app:s%40cret@db.example:5432/parley"), {
    url: "postgres://app@db.example:5432/parley",
    password: "s@cret",
  });
  assert.deepEqual(splitPassword("postgres://app:pw@/parley?host=/run/postgresql"), {
    url: "postgres://app@/parley?host=/run/postgresql",
    password: "pw",
  });
  for (
    const url of ["postgres://app@/parley?host=/tmp", "postgres://app@db.example/parley", "postgres:///p"]
  ) {
    assert.deepEqual(splitPassword(url), { url, password: "" });
  }
});

Deno.test("Postgres through its Unix socket: queries, LISTEN/NOTIFY and a COPY", async () => {
  const url = await postgresUrl();
  assert.ok(url, "TEST_DATABASE_URL is set by `deno task test`");
  const tcp = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 1 });
  let db: Awaited<ReturnType<typeof openDb>> | null = null;
  try {
    const [{ dirs, port }] = await tcp.query<{ dirs: string; port: string }>(
      "SELECT current_setting('unix_socket_directories') AS dirs, current_setting('port') AS port",
    );
    const dir = dirs.split(",").map((d) => d.trim()).find((d) => existsSync(`${d}/.s.PGSQL.${port}`));
    // `deno task test` starts its Postgres on this host with a socket directory of its own.
    assert.ok(dir, `a socket of the test server in ${dirs}`);
    const name = url.match(/^[a-z]+:\/\/[^/?#]*\/([^?#]*)/i)![1];
    const user = url.match(/^[a-z]+:\/\/([^@/?#]*)@/i)?.[1];
    db = await openDb({
      databaseUrl: `postgres://${user ? `${user}@` : ""}/${name}?host=${
        encodeURIComponent(dir)
      }&port=${port}`,
      dataDir: "",
      maxConnections: 2,
    });
    const [r] = await db.query<{ addr: string | null; db: string }>(
      "SELECT inet_server_addr() AS addr, current_database() AS db",
    );
    assert.equal(r.addr, null, "connected through the socket (no server address)");
    assert.equal(r.db, name);

    const heard: string[] = [];
    const unlisten = await db.listen("pg_url_test", (p) => heard.push(p));
    await tcp.notify("pg_url_test", "over tcp");
    await db.notify("pg_url_test", "over the socket");
    for (let i = 0; i < 100 && heard.length < 2; i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(heard.sort(), ["over tcp", "over the socket"]);
    await unlisten();

    await db.query("CREATE TABLE pg_url_copy (n int4, d bytea)");
    const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
    await db.insertRows("pg_url_copy", [{ name: "n", type: "int4" }, { name: "d", type: "bytea" }], [
      [1, bytes],
      [2, new Uint8Array([1, 2, 3])],
    ]);
    const rows = await tcp.query<{ n: number; d: Uint8Array }>("SELECT n, d FROM pg_url_copy ORDER BY n");
    assert.deepEqual(rows.map((x) => [x.n, [...x.d]]), [[1, [...bytes]], [2, [1, 2, 3]]]);
  } finally {
    await db?.close();
    await tcp.close();
    await dropPostgresUrl(url);
  }
});
