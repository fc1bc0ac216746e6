/**
 * The sockets `Db.insertRows` writes COPY data to directly (db/pg_copy_socket.ts): a real loopback TCP
 * server for what `capture` notes, and the real Postgres server with postgres.js for what the whole path
 * relies on (the driver writes the COPY stream's first chunk to our socket at once, and the server takes
 * CopyData messages framed by us after it).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { copyHeader, copyRow, copyTrailer } from "../../db/copy_binary.ts";
import { copyDataHeader, copySockets } from "../../db/pg_copy_socket.ts";
import { pgTarget } from "../../db/pg_url.ts";
import { dropPostgresUrl, postgresUrl } from "../helpers/db.ts";

/** A loopback server that keeps every byte it receives. */
function sink() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received: number[] = [];
  const done = (async () => {
    for await (const conn of listener) {
      for await (const chunk of conn.readable) received.push(...chunk);
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    received,
    async close() {
      listener.close();
      await done.catch(() => {});
    },
  };
}

const frame = (payload: number[]) => new Uint8Array([...copyDataHeader(payload.length), ...payload]);

Deno.test("capture names the socket that sent a whole CopyData message, and nothing else", async () => {
  const server = sink();
  const sockets = copySockets();
  const socket = sockets.connect({ host: ["127.0.0.1"], port: [server.port] });
  try {
    assert.equal(sockets.capture(() => socket.write(frame([1, 2, 3]))), socket);
    // Another message type, a 'd' whose length does not match, no write at all: none.
    assert.equal(sockets.capture(() => socket.write(new Uint8Array([0x51, 0, 0, 0, 5, 0]))), null);
    assert.equal(sockets.capture(() => socket.write(new Uint8Array([0x64, 0, 0, 0, 9, 1]))), null);
    assert.equal(sockets.capture(() => {}), null);
    // Writes outside a capture are not noted by the next one.
    socket.write(frame([4]));
    assert.equal(sockets.capture(() => {}), null);
    // Every write reached the server, in order.
    await new Promise<void>((resolve) => socket.end(resolve));
    const expected = [
      ...frame([1, 2, 3]),
      ...[0x51, 0, 0, 0, 5, 0],
      ...[0x64, 0, 0, 0, 9, 1],
      ...frame([4]),
    ];
    for (let i = 0; i < 100 && server.received.length < expected.length; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(server.received, expected);
  } finally {
    socket.destroy();
    await server.close();
  }
});

Deno.test("postgres.js on these sockets: a refused connection fails each query and frees the pool's slot", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const sockets = copySockets();
  const sql = postgres(`postgres://nobody@127.0.0.1:${port}/none`, {
    max: 1,
    ...({ socket: sockets.connect } as object),
  });
  try {
    // One connection at most: a slot left taken by the first failure would make the next queries wait forever.
    for (let i = 0; i < 3; i++) {
      const outcome = await Promise.race([
        sql`SELECT 1`.then(() => "answered", (err) => err.code),
        new Promise((r) => setTimeout(() => r("still waiting after 10 s"), 10_000)),
      ]);
      assert.equal(outcome, "ECONNREFUSED");
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
});

Deno.test("postgres.js on these sockets: the COPY stream's first chunk is captured, the rest goes framed by us", async () => {
  const url = await postgresUrl();
  assert.ok(url, "TEST_DATABASE_URL is set by `deno task test`");
  const sockets = copySockets();
  const sql = postgres(pgTarget(url).url, {
    ...pgTarget(url).options,
    max: 1,
    onnotice: () => {},
    ...({ socket: sockets.connect } as object),
  });
  try {
    const rows = await sql.begin(async (t) => {
      await t.unsafe("CREATE TEMP TABLE probe (n int4, d bytea)");
      const w = await t.unsafe("COPY probe (n, d) FROM STDIN (FORMAT binary)").writable();
      const socket = sockets.capture(() => w.write(copyHeader()));
      assert.ok(socket, "postgres.js wrote the first chunk to our socket at once");
      const columns = [{ name: "n", type: "int4" as const }, { name: "d", type: "bytea" as const }];
      const data = new Uint8Array(100_000).map((_, i) => i % 251);
      for (const chunk of [...copyRow(columns, [7, data]), copyTrailer()]) {
        socket.write(copyDataHeader(chunk.length));
        socket.write(chunk);
      }
      const finished = new Promise((r) => w.once("finish", r));
      w.end();
      await finished;
      const got = await t.unsafe("SELECT n, d FROM probe");
      assert.equal(got.length, 1);
      assert.equal(got[0].n, 7);
      assert.deepEqual(new Uint8Array(got[0].d), data);
      return got.length;
    });
    assert.equal(rows, 1);
    // A connection the server ends is replaced by a new socket from ours, and the COPY path finds it.
    const [{ pid }] = await sql`SELECT pg_backend_pid() AS pid`;
    const other = postgres(pgTarget(url).url, { ...pgTarget(url).options, max: 1, onnotice: () => {} });
    await other`SELECT pg_terminate_backend(${pid})`;
    await other.end();
    // (A query sent before the server's goodbye arrived fails with the old connection: asked again.)
    let next = pid;
    for (let i = 0; i < 100 && next === pid; i++) {
      next = await sql`SELECT pg_backend_pid() AS pid`.then(([r]) => r.pid, () => pid);
      if (next === pid) await new Promise((r) => setTimeout(r, 50));
    }
    assert.notEqual(next, pid);
    const again = await sql.begin(async (t) => {
      await t.unsafe("CREATE TEMP TABLE probe (n int4)");
      const w = await t.unsafe("COPY probe (n) FROM STDIN (FORMAT binary)").writable();
      const socket = sockets.capture(() => w.write(copyHeader()));
      assert.ok(socket);
      const finished = new Promise((r) => w.once("finish", r));
      w.end(copyTrailer());
      await finished;
      return await t.unsafe("SELECT count(*)::int AS n FROM probe");
    });
    assert.deepEqual([...again], [{ n: 0 }]);
  } finally {
    await sql.end({ timeout: 2 });
    await dropPostgresUrl(url);
  }
});
