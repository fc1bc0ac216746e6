/**
 * The background search indexer (domain/search_indexer.ts, migration 0026): a message committing after one
 * with a higher id is never skipped, an acknowledged message is found by the next search, edits and deletes
 * are followed in their own transactions, workspaces stay apart, and removal (retention, a channel) takes
 * the search row with the message.
 */
import assert from "node:assert/strict";
import { dbTest, dropPostgresUrl, postgresUrl } from "../helpers/db.ts";
import { type Fixture, fixture } from "../helpers/fixture.ts";
import { type Db, openDb, type Sql } from "../../db/client.ts";
import * as messagesRepo from "../../db/repos/messages.ts";
import * as messageSearchRepo from "../../db/repos/message_search.ts";
import * as usersRepo from "../../db/repos/users.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import * as search from "../../domain/search.ts";
import { deleteExpiredBatch } from "../../domain/admin/retention.ts";
import { SearchIndexer } from "../../domain/search_indexer.ts";

const indexed = async (sql: Sql) =>
  (await sql.query<{ id: number }>("SELECT message_id AS id FROM message_search ORDER BY 1")).map((r) =>
    r.id
  );

async function scene(db: Parameters<typeof fixture>[0]) {
  const f = await fixture(db);
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  let n = 0;
  const say = async (who: "alice" | "bob" | "eve", channelId: number, body: string) =>
    (await messages.send(f.deps, f.actor(who), { channelId, clientId: `c${++n}`, body })).message;
  const ids = async (who: "alice" | "bob" | "eve", q: string) =>
    (await search.search(f.deps, f.actor(who), { q, kinds: "messages" })).messages.map((x) => x.id);
  return { f, general, say, ids };
}

dbTest("search indexer: an acknowledged message is found by the next search", async (db) => {
  const { general, say, ids } = await scene(db);
  const m = await say("alice", general.id, "The quarterly roadmap is ready");
  // The send stored no search row: the search indexes what is pending before it reads.
  assert.deepEqual(await indexed(db), []);
  assert.deepEqual(await ids("bob", "roadmap"), [m.id]);
  assert.deepEqual(await indexed(db), [m.id]);
  const m2 = await say("bob", general.id, "Roadmap comments are in");
  assert.deepEqual(await ids("alice", "roadmap"), [m2.id, m.id]);
});

dbTest("search indexer: an edit is found by its new words only, a deleted message by none", async (db) => {
  const { f, general, say, ids } = await scene(db);
  // Edited before it was ever indexed, and edited after.
  const early = await say("alice", general.id, "Pineapple pizza friday");
  await messages.edit(f.deps, f.actor("alice"), early.id, { body: "Mango salad friday" });
  const late = await say("alice", general.id, "Walnut brownies monday");
  assert.deepEqual(await ids("bob", "walnut"), [late.id]);
  await messages.edit(f.deps, f.actor("alice"), late.id, { body: "Hazelnut cake monday" });
  assert.deepEqual(await ids("bob", "pineapple"), []);
  assert.deepEqual(await ids("bob", "walnut"), []);
  assert.deepEqual(await ids("bob", "mango"), [early.id]);
  assert.deepEqual(await ids("bob", "hazelnut"), [late.id]);
  // Deleted: neither old nor new words, and the row is gone.
  const gone = await say("alice", general.id, "Zucchini bread tuesday");
  await messages.edit(f.deps, f.actor("alice"), gone.id, { body: "Quince jam tuesday" });
  await messages.remove(f.deps, f.actor("alice"), gone.id);
  await messages.remove(f.deps, f.actor("alice"), late.id);
  for (const w of ["zucchini", "quince", "hazelnut", "walnut"]) assert.deepEqual(await ids("bob", w), [], w);
  assert.deepEqual(await indexed(db), [early.id]);
});

/** A direct conversation of eve's in the other workspace, with a second person there. */
async function otherWorkspaceDirect(db: Db, f: Fixture) {
  const frank = await usersRepo.insert(db, {
    workspaceId: f.otherWs,
    username: "frank",
    displayName: "Frank",
    role: "member",
    passwordHash: f.users.eve.passwordHash,
  });
  return await channels.openDirect(f.deps, f.actor("eve"), { userId: frank.id });
}

dbTest("search indexer: another workspace's messages are never found", async (db) => {
  const { f, general, say, ids } = await scene(db);
  const mine = await say("alice", general.id, "Kumquat tasting notes");
  const evePlace = await otherWorkspaceDirect(db, f);
  const theirs = await say("eve", evePlace.id, "Kumquat tasting elsewhere");
  assert.deepEqual(await ids("alice", "kumquat"), [mine.id]);
  assert.deepEqual(await ids("bob", "kumquat"), [mine.id]);
  assert.deepEqual(await ids("eve", "kumquat"), [theirs.id]);
  const all = await search.search(f.deps, f.actor("admin"), {
    q: "kumquat",
    kinds: "messages",
    scope: "all",
  });
  assert.deepEqual(all.messages.map((m) => m.id), [mine.id]);
  assert.deepEqual(await indexed(db), [mine.id, theirs.id]);
});

dbTest("search indexer: removing a workspace takes its search rows, and only its own", async (db) => {
  const { f, general, say, ids } = await scene(db);
  const mine = await say("alice", general.id, "Lychee sorbet");
  const evePlace = await otherWorkspaceDirect(db, f);
  const theirs = await say("eve", evePlace.id, "Lychee sorbet elsewhere");
  assert.deepEqual(await ids("eve", "lychee"), [theirs.id]);
  assert.deepEqual(await indexed(db), [mine.id, theirs.id]);
  // Its channels go with it (a key), their messages with them (migration 0032's trigger), and each message's
  // search row with the message (migration 0030's trigger): no key on message_search.message_id.
  await db.query("DELETE FROM workspaces WHERE id = $1", [f.otherWs]);
  assert.deepEqual(await indexed(db), [mine.id]);
  assert.equal((await db.query("SELECT 1 FROM message_search WHERE message_id = $1", [theirs.id])).length, 0);
  assert.deepEqual(await ids("alice", "lychee"), [mine.id]);
});

dbTest("search indexer: retention and removing a channel take the search rows", async (db) => {
  const { f, general, say, ids } = await scene(db);
  const old = await say("alice", general.id, "Persimmon harvest");
  const kept = await say("alice", general.id, "Persimmon recipes");
  assert.deepEqual(await ids("bob", "persimmon"), [kept.id, old.id]);
  await deleteExpiredBatch(f.deps, f.ws, [{ id: old.id, channelId: general.id }]);
  assert.deepEqual(await ids("bob", "persimmon"), [kept.id]);
  assert.deepEqual(await indexed(db), [kept.id]);
  const side = await channels.create(f.deps, f.actor("mod"), { name: "side", memberIds: [f.users.bob.id] });
  const there = await say("bob", side.id, "Persimmon tree");
  assert.deepEqual(await ids("bob", "persimmon"), [there.id, kept.id]);
  await channels.remove(f.deps, f.actor("admin"), side.id);
  assert.deepEqual(await indexed(db), [kept.id]);
});

dbTest("search indexer: runs in the background, and two instances index each message once", async (db) => {
  const { f, general, say } = await scene(db);
  const a = new SearchIndexer(db, { everyMs: 20 });
  const b = new SearchIndexer(db, { everyMs: 20 });
  a.start();
  b.start();
  try {
    const sent = [];
    for (let i = 0; i < 12; i++) {
      sent.push((await say(i % 2 ? "alice" : "bob", general.id, `Apricot ${i}`)).id);
    }
    const deadline = Date.now() + 30_000;
    while ((await indexed(db)).length < sent.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await indexed(db), sent);
    await Promise.all([a.catchUp(), b.catchUp(), f.deps.searchIndexer.catchUp()]);
    assert.deepEqual(await indexed(db), sent);
  } finally {
    await a.stop();
    await b.stop();
  }
  // The watermark is shared, and no higher than what was handed out.
  const [s] = await db.query<{ low: number }>("SELECT low FROM message_search_state");
  assert.ok(s && s.low <= Math.max(...(await indexed(db))));
});

dbTest(
  "search indexer: a new instance's first pass starts at the shared watermark, not at the first message",
  async (db) => {
    const { general, say } = await scene(db);
    const first = await say("alice", general.id, "Quince one");
    const second = await say("alice", general.id, "Quince two");
    // Another instance said every id up to the first one is indexed (its row is left out here, so a pass that
    // walks from the start shows by indexing it).
    await messageSearchRepo.raiseLow(db, await messageSearchRepo.startGeneration(db), first.id);
    const started = new SearchIndexer(db);
    await started.catchUp();
    assert.deepEqual(await indexed(db), [second.id]);
  },
);

Deno.test({
  name: "search indexer: a message that commits after one with a higher id is not skipped [postgres]",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const url = await postgresUrl({ migrated: true });
    if (!url) throw new Error("this test needs a real Postgres: run it through `deno task test`");
    const db = await openDb({ databaseUrl: url, dataDir: "", maxConnections: 4 });
    try {
      const f = await fixture(db);
      const general = await channels.create(f.deps, f.actor("mod"), {
        name: "general",
        memberIds: [f.users.alice.id, f.users.bob.id],
      });
      // Another channel, so the second send does not wait for the first transaction's channel lock.
      const other = await channels.create(f.deps, f.actor("mod"), {
        name: "other",
        memberIds: [f.users.bob.id],
      });
      const indexer = new SearchIndexer(db);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let inserted!: (id: number) => void;
      const lowId = new Promise<number>((r) => (inserted = r));
      // Transaction 1 takes the lower id and stays open.
      const slow = db.tx(async (tx) => {
        const m = await messagesRepo.insert(tx, {
          workspaceId: f.ws,
          channelId: general.id,
          senderId: f.users.alice.id,
          clientId: "slow",
          seq: 1000,
          type: "text",
          body: "Tamarind arrives late",
          replyTo: null,
          mentions: [],
        });
        inserted(m!.id);
        await held;
      });
      const low = await lowId;
      // Transaction 2 takes a higher id and commits first; several passes run meanwhile.
      const fast = await messages.send(f.deps, f.actor("bob"), {
        channelId: other.id,
        clientId: "fast",
        body: "Tamarind on time",
      });
      assert.ok(fast.message.id > low);
      for (let i = 0; i < 4; i++) {
        await indexer.catchUp();
        await new Promise((r) => setTimeout(r, 30));
      }
      assert.deepEqual(await indexed(db), [fast.message.id]);
      release();
      await slow;
      await indexer.catchUp();
      assert.deepEqual(await indexed(db), [low, fast.message.id]);
      const hits = await search.search(f.deps, f.actor("bob"), { q: "tamarind", kinds: "messages" });
      assert.deepEqual(hits.messages.map((m) => m.id), [fast.message.id, low]);
    } finally {
      await db.close();
      await dropPostgresUrl(url);
    }
  },
});
