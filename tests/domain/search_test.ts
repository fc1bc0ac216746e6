/** Search through the domain: languages and substrings, filters, and who may find what. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import * as messagesRepo from "../../db/repos/messages.ts";
import * as search from "../../domain/search.ts";

async function scene(db: Parameters<typeof fixture>[0]) {
  const f = await fixture(db);
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id, f.users.carol.id],
  });
  const secret = await channels.create(f.deps, f.actor("mod"), {
    name: "secret",
    kind: "private_channel",
    memberIds: [f.users.alice.id],
  });
  const dm = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.bob.id });
  let n = 0;
  const say = async (who: "alice" | "bob" | "mod", channelId: number, body: string) =>
    (await messages.send(f.deps, f.actor(who), { channelId, clientId: `c${++n}`, body })).message;
  const m = {
    deploy: await say("alice", general.id, "We deployed the new release yesterday"),
    phrase: await say("bob", general.id, "Please read the release notes before Friday"),
    japanese: await say("alice", general.id, "明日は東京で会議があります"),
    ticket: await say("bob", general.id, "Fixed in ticket #4521, see parseHttpHeader"),
    link: await say("alice", general.id, "Docs at https://example.com/guide"),
    secret: await say("mod", secret.id, "secret deployment plan"),
    dm: await say("bob", dm.id, "private deploy chat"),
  };
  const ids = async (who: "alice" | "bob" | "carol" | "eve" | "admin", q: string, scope?: string) =>
    (await search.search(f.deps, f.actor(who), { q, ...(scope ? { scope } : {}) })).messages.map((x) => x.id);
  return { f, general, secret, dm, m, ids };
}

dbTest(
  "search: stemming, phrases, Japanese substrings, ticket numbers, identifiers, exclusions",
  async (db) => {
    const { m, ids } = await scene(db);
    assert.deepEqual(await ids("alice", "deploy"), [m.dm.id, m.secret.id, m.deploy.id]);
    assert.deepEqual(await ids("bob", '"release notes"'), [m.phrase.id]);
    assert.deepEqual(await ids("bob", "東京"), [m.japanese.id]);
    // CJK goes by character bigrams, then the exact substring: one character, a long run, a phrase, and a
    // word whose characters are all there but not together.
    assert.deepEqual(await ids("bob", "東"), [m.japanese.id]);
    assert.deepEqual(await ids("bob", "会議があります"), [m.japanese.id]);
    assert.deepEqual(await ids("bob", '"東京で会議"'), [m.japanese.id]);
    assert.deepEqual(await ids("bob", "京東"), []);
    assert.deepEqual(await ids("bob", "東京 release"), []);
    assert.deepEqual(await ids("bob", "#4521"), [m.ticket.id]);
    assert.deepEqual(await ids("bob", "HttpHead"), [m.ticket.id]);
    assert.deepEqual(await ids("alice", "release -notes"), [m.deploy.id]);
    assert.deepEqual(await ids("alice", "has:link"), [m.link.id]);
    assert.deepEqual(await ids("alice", "from:@bob in:#general"), [m.ticket.id, m.phrase.id]);
    assert.deepEqual(await ids("alice", "deploy in:@bob"), [m.dm.id]);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal((await ids("alice", `on:${today} 東京`)).length, 1);
    assert.equal((await ids("alice", `before:${today} 東京`)).length, 0);
  },
);

dbTest(
  "search: only conversations the person is in now; nothing across workspaces; monitors are audited",
  async (db) => {
    const { f, general, m, ids } = await scene(db);
    // bob: no private channel of others; his own DM yes.
    assert.deepEqual(await ids("bob", "deploy"), [m.dm.id, m.deploy.id]);
    // carol: not in the DM nor the private channel.
    assert.deepEqual(await ids("carol", "deploy"), [m.deploy.id]);
    // eve, another workspace: nothing.
    assert.deepEqual(await ids("eve", "deploy"), []);
    // Leaving a channel takes its messages out of your results.
    await channels.leave(f.deps, f.actor("carol"), general.id);
    assert.deepEqual(await ids("carol", "deploy"), []);
    // A monitor may search everything, and that is audited; others may not ask.
    await refused(search.search(f.deps, f.actor("bob"), { q: "deploy", scope: "all" }), 403);
    assert.deepEqual(await ids("admin", "deploy", "all"), [m.dm.id, m.secret.id, m.deploy.id]);
    const audit = await db.query<{ action: string; detail: { q: string } }>(
      "SELECT action, detail FROM audit_log WHERE action = 'search.monitor_all'",
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0].detail.q, "deploy");
    // Without asking, the admin's search is their own conversations only.
    assert.deepEqual(await ids("admin", "deploy"), []);
  },
);

dbTest("search: the index follows edits and deletes immediately", async (db) => {
  const { f, m, ids } = await scene(db);
  await messages.edit(f.deps, f.actor("alice"), m.deploy.id, { body: "We shipped the new version" });
  assert.deepEqual(await ids("alice", "yesterday"), []);
  assert.deepEqual(await ids("alice", "shipped"), [m.deploy.id]);
  await messages.remove(f.deps, f.actor("alice"), m.japanese.id);
  assert.deepEqual(await ids("alice", "東京"), []);
});

dbTest("search: people and channels, with highlights; bad input is a clear error", async (db) => {
  const { f } = await scene(db);
  const r = await search.search(f.deps, f.actor("carol"), { q: "secr" });
  assert.deepEqual(r.channels.map((c) => c.name), [], "a private channel carol is not in stays hidden");
  const g = await search.search(f.deps, f.actor("carol"), { q: "gener" });
  assert.deepEqual(g.channels.map((c) => c.name), ["general"]);
  const p = await search.search(f.deps, f.actor("carol"), { q: "bo" });
  assert.deepEqual(p.people.map((u) => u.username), ["bob"]);
  const h = await search.search(f.deps, f.actor("bob"), { q: "deployed" });
  // "deployed" finds "deploy" too (stemming), and each hit marks the word it matched.
  assert.deepEqual(
    h.messages.map((x) => x.snippet.slice(x.highlights[0][0], x.highlights[0][1])),
    ["deploy", "deployed"],
  );
  await refused(search.search(f.deps, f.actor("bob"), { q: "x".repeat(501) }), 400, "invalid_input");
  await refused(search.search(f.deps, f.actor("bob"), {}), 400, "invalid_input");
});

dbTest(
  "search: sender and date filters read the search row, follow edits and never find a deleted message",
  async (db) => {
    const { f, general, ids } = await scene(db);
    let n = 0;
    const say = async (who: "alice" | "bob", body: string, at: string | null) => {
      const m =
        (await messages.send(f.deps, f.actor(who), { channelId: general.id, clientId: `d${++n}`, body }))
          .message;
      // Dated before the indexer copies the row (a search indexes what is pending first).
      if (at) await db.query("UPDATE messages SET created_at = $2 WHERE id = $1", [m.id, at]);
      return m;
    };
    const a1 = await say("alice", "Budget draft one", "2026-01-10T12:00:00Z");
    const a2 = await say("alice", "Budget draft two", "2026-02-10T12:00:00Z");
    const b1 = await say("bob", "Budget notes", "2026-02-11T12:00:00Z");
    const a3 = await say("alice", "Budget final", null);
    // Edited before it was ever indexed: the edit stores the row, with the message's sender and date. (The
    // statement `messages.edit` runs: these messages are dated past the edit window.)
    await messagesRepo.edit(db, a2.id, "Budget plan two", []);
    const rows = await db.query<{ id: number; sender: number; at: string }>(
      "SELECT message_id AS id, sender_id AS sender, created_at AS at FROM message_search WHERE message_id = $1",
      [a2.id],
    );
    assert.equal(Number(rows[0].sender), f.users.alice.id);
    assert.equal(new Date(rows[0].at).toISOString(), "2026-02-10T12:00:00.000Z");
    const check = async () => {
      assert.deepEqual(await ids("carol", "budget from:@alice after:2026-02-01"), [a3.id, a2.id]);
      assert.deepEqual(await ids("carol", "budget from:@alice before:2026-02-01"), [a1.id]);
      assert.deepEqual(await ids("carol", "budget from:@alice after:2026-01-01 before:2026-03-01"), [
        a2.id,
        a1.id,
      ]);
      assert.deepEqual(await ids("carol", "on:2026-02-11"), [b1.id]);
      assert.deepEqual(await ids("carol", "budget from:@bob before:2026-03-01"), [b1.id]);
      assert.deepEqual(await ids("carol", "from:@bob on:2026-02-10"), []);
    };
    await check();
    // Every row carries its message's sender and date (rows stored by the indexer and by the edit).
    const [{ off }] = await db.query<{ off: number }>(
      `SELECT count(*)::int AS off FROM message_search s JOIN messages m ON m.id = s.message_id
       WHERE s.sender_id IS DISTINCT FROM m.sender_id OR s.created_at <> m.created_at`,
    );
    assert.equal(off, 0);
    // Edited after it was indexed: new words only, same sender and date.
    await messagesRepo.edit(db, a1.id, "Budget review one", []);
    await check();
    assert.deepEqual(await ids("carol", "review from:@alice before:2026-02-01"), [a1.id]);
    assert.deepEqual(await ids("carol", "draft from:@alice"), []);
    // Deleted: by no filter, with or without words.
    await messages.remove(f.deps, f.actor("mod"), a2.id); // a moderator: past the window for her
    assert.deepEqual(await ids("carol", "budget from:@alice after:2026-01-01 before:2026-03-01"), [a1.id]);
    assert.deepEqual(await ids("carol", "from:@alice on:2026-02-10"), []);
    assert.deepEqual(await ids("carol", "plan from:@alice"), []);
    // Another workspace's person with the same filters finds nothing.
    assert.deepEqual(await ids("eve", "budget after:2026-01-01"), []);
  },
);
