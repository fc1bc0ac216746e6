/**
 * The search tables are unlogged (migration 0033): a crash of Postgres empties them, and the indexers, which
 * keep running through it with watermarks of the tables' earlier life, index every live message again with
 * its current body, and no deleted one. On a cluster of its own, stopped with `pg_ctl stop -m immediate`.
 */
import assert from "node:assert/strict";
import { findPgBin } from "../../cli/pg_cluster.ts";
import { openDb, type Sql } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import * as search from "../../domain/search.ts";
import { SearchIndexer } from "../../domain/search_indexer.ts";
import { fixture } from "../helpers/fixture.ts";

const indexed = async (sql: Sql) =>
  (await sql.query<{ id: number }>("SELECT message_id AS id FROM message_search ORDER BY 1")).map((r) =>
    Number(r.id)
  );

/** Runs `cmd`; as root, Postgres' programs as the `postgres` user (as `cli/pg_cluster.ts`). */
async function run(cmd: string[], asPostgres = true) {
  const full = asPostgres && Deno.uid?.() === 0 ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
  const out = await new Deno.Command(full[0], { args: full.slice(1), stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`${cmd.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
}

/** A cluster of this test's own that can crash (`pg_ctl stop -m immediate`) and start again on its data. */
async function crashableCluster() {
  const bin = findPgBin();
  if (!bin) throw new Error("this test needs Postgres' binaries: apt-get install postgresql");
  const dir = await Deno.makeTempDir({ prefix: "parley-pg-crash-" });
  if (Deno.uid?.() === 0) await run(["chown", "postgres:postgres", dir], false);
  await run([
    `${bin}/initdb`,
    "-D",
    `${dir}/data`,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const ctl = (...args: string[]) => run([`${bin}/pg_ctl`, "-D", `${dir}/data`, ...args]);
  const start = () =>
    ctl(
      "-l",
      `${dir}/log`,
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "-w",
      "start",
    );
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async crash() {
      await ctl("-m", "immediate", "stop");
      await start();
    },
    async remove() {
      await ctl("-m", "immediate", "stop").catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

Deno.test({
  name:
    "search indexer: after a crash empties the search tables, every live message is found again [postgres]",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await crashableCluster();
    const db = await openDb({ databaseUrl: cluster.url, dataDir: "", maxConnections: 4 });
    try {
      await migrate(db);
      const f = await fixture(db);
      const general = await channels.create(f.deps, f.actor("mod"), {
        name: "general",
        memberIds: [f.users.alice.id, f.users.bob.id],
      });
      let n = 0;
      const say = async (body: string) =>
        (await messages.send(f.deps, f.actor(n % 2 ? "alice" : "bob"), {
          channelId: general.id,
          clientId: `c${++n}`,
          body,
        })).message.id;
      const ids = async (q: string) =>
        (await search.search(f.deps, f.actor("bob"), { q, kinds: "messages" })).messages.map((x) => x.id);
      // A second instance, in small batches: after the crash it rebuilds in many passes.
      const other = new SearchIndexer(db, { batch: 7 });

      const sent: number[] = [];
      for (let i = 0; i < 30; i++) sent.push(await say(`Saffron note ${i}`));
      // Both instances index and raise their watermarks (saved at most once a second) past most messages.
      for (let i = 0; i < 3; i++) {
        await other.catchUp();
        await f.deps.searchIndexer.catchUp();
        await new Promise((r) => setTimeout(r, 1100));
      }
      await other.catchUp();
      await f.deps.searchIndexer.catchUp();
      const [state] = await db.query<{ low: number }>("SELECT low FROM message_search_state");
      assert.ok(Number(state.low) >= sent[20], `watermark ${state.low}`);
      assert.deepEqual(await indexed(db), sent);
      // Edited and deleted before the crash, and sent but not yet indexed.
      const [edited, deleted] = [sent[3], sent[25]];
      await messages.edit(f.deps, f.actor("alice"), edited, { body: "Cardamom instead" });
      await messages.remove(f.deps, f.actor("alice"), deleted);
      const late = [await say("Saffron late 1"), await say("Saffron late 2")];

      await cluster.crash();
      // The pool's connections died with the server: the next queries reconnect.
      for (let i = 0; i < 20; i++) {
        if (await db.query("SELECT 1").then(() => true, () => false)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Unlogged: crash recovery emptied both search tables (the messages are logged, and all there).
      assert.deepEqual(await indexed(db), []);
      assert.equal((await db.query("SELECT 1 FROM message_search_state")).length, 0);
      assert.equal((await db.query("SELECT 1 FROM messages WHERE deleted_at IS NULL")).length, 31);

      const live = [...sent.filter((id) => id !== edited && id !== deleted), ...late];
      // The instance in small batches, with a watermark of before the crash, starts again from nothing.
      await other.catchUp();
      assert.deepEqual(await indexed(db), [...live, edited].sort((a, b) => a - b));
      // The search's own instance holds a watermark of the tables' earlier life too: it takes the new one.
      assert.deepEqual(await ids("saffron"), live.toReversed());
      assert.deepEqual(await ids("cardamom"), [edited]);
      assert.deepEqual(await ids("note 25"), []);
      // New messages after the crash are found, and the watermark saved is of the new generation.
      const after = await say("Saffron after the crash");
      assert.deepEqual((await ids("saffron"))[0], after);
      await new Promise((r) => setTimeout(r, 1100));
      await other.catchUp();
      await other.catchUp();
      await other.stop();
      await f.deps.searchIndexer.stop();
      const [again] = await db.query<{ low: number }>("SELECT low FROM message_search_state");
      assert.ok(Number(again.low) <= after, `watermark ${again.low}`);
      assert.deepEqual(await indexed(db), [...live, edited, after].sort((a, b) => a - b));
    } finally {
      await db.close().catch(() => {});
      await cluster.remove();
    }
  },
});
