/**
 * Backup (issue 13): `GET /api/admin/backup` streams a consistent dump that restores into a fresh database
 * with the same messages: on PGlite through `deno task restore` (cli/restore.ts), on Postgres through
 * pg_restore. Chat keeps serving while the dump streams; the download is audited.
 */
import assert from "node:assert/strict";
import { dropPostgresUrl, engines, postgresUrl } from "../../helpers/db.ts";
import { type Http, httpFixture, ORIGIN } from "../../routes/http.ts";
import { world } from "../../routes/world.ts";
import { type Db, openDb } from "../../../db/client.ts";
import { runRestore } from "../../../cli/restore.ts";
import { splitPassword } from "../../../db/pg_url.ts";

const MESSAGES = "SELECT id, channel_id, sender_id, body, seq, created_at FROM messages ORDER BY id";

async function send(h: Http, channelId: number, body: string) {
  const r = await h.call("POST", `/api/chat/channels/${channelId}/messages`, {
    as: "alice",
    body: { clientId: crypto.randomUUID(), body },
  });
  assert.equal(r.status, 201, r.text);
}

/** Fills the world, downloads the backup (sending a message while it streams); returns the file. */
async function download(h: Http, dir: string) {
  const w = await world(h.f);
  for (let i = 0; i < 50; i++) await send(h, w.general, `before the backup ${i} — ünïcödé 🦓`);
  await send(h, w.secret, "a private line");
  const res = await h.app.request(`${ORIGIN}/api/admin/backup`, {
    headers: { authorization: `Bearer ${h.tokens.admin}` },
  });
  assert.equal(res.status, 200);
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1];
  assert.ok(name, "a file name");
  const reader = res.body!.getReader();
  const first = await reader.read();
  // Chat keeps serving while the dump streams.
  await send(h, w.general, "sent while the backup streams");
  const parts = [first.value!];
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    parts.push(r.value);
  }
  const file = `${dir}/${name}`;
  await Deno.writeFile(file, new Uint8Array(await new Blob(parts).arrayBuffer()));
  const [audit] = await h.f.deps.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM audit_log WHERE action = 'backup_downloaded'",
  );
  assert.equal(audit.n, 1);
  return { file, size: parts.reduce((n, p) => n + p.length, 0), headers: res.headers };
}

/** The source's messages as they were when the backup began (the one sent during it may or may not be in). */
async function sameMessages(source: Db, restored: Db) {
  const want = (await source.query<{ body: string }>(MESSAGES)).filter((m) =>
    m.body !== "sent while the backup streams"
  );
  const got = (await restored.query<{ body: string }>(MESSAGES)).filter((m) =>
    m.body !== "sent while the backup streams"
  );
  assert.ok(want.length >= 52);
  assert.deepEqual(got, want);
}

Deno.test({
  name: "a PGlite backup restores into a fresh data directory with the same messages",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const db = await engines[0].open();
    try {
      const h = await httpFixture(db);
      const { file, size, headers } = await download(h, dir);
      assert.match(file, /\.pglite\.tar\.gz$/);
      assert.equal(Number(headers.get("content-length")), size);
      const lines: string[] = [];
      // Never over a database: a directory that holds anything is refused.
      await Deno.mkdir(`${dir}/busy`);
      await Deno.writeTextFile(`${dir}/busy/x`, "x");
      assert.equal(await runRestore([file, `${dir}/busy`], (l) => lines.push(l)), 1);
      assert.equal(await runRestore([file, `${dir}/restored`], (l) => lines.push(l)), 0, lines.join("\n"));
      const restored = await openDb({ dataDir: `${dir}/restored` });
      try {
        await sameMessages(db, restored);
      } finally {
        await restored.close();
      }
    } finally {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a Postgres backup (pg_dump) restores with pg_restore into a fresh database with the same messages",
  ignore: !engines.some((e) => e.name === "postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const url = (await postgresUrl({ migrated: true }))!;
    const target = (await postgresUrl())!;
    const db = await openDb({ databaseUrl: url, dataDir: "" });
    try {
      const h = await httpFixture(db, { config: { databaseUrl: url } });
      const { file, headers } = await download(h, dir);
      assert.match(file, /\.pgdump$/);
      assert.ok(Number(headers.get("x-database-bytes")) > 0);
      const { url: u, password } = splitPassword(target);
      const out = await new Deno.Command("pg_restore", {
        args: ["--no-owner", "--no-privileges", "--exit-on-error", `--dbname=${u}`, file],
        env: password ? { PGPASSWORD: password } : {},
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const restored = await openDb({ databaseUrl: target, dataDir: "" });
      try {
        await sameMessages(db, restored);
      } finally {
        await restored.close();
      }
    } finally {
      await db.close();
      await dropPostgresUrl(url);
      await dropPostgresUrl(target);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
