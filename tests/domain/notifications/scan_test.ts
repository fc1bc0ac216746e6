/**
 * The notification scan's idle tick (domain/notifications/scan.ts): with nothing due it only reads (no row
 * lock on the cursor, so no transaction id and no WAL flush at commit); a due message is still scanned, and
 * a first start still begins at the newest message.
 */
import assert from "node:assert/strict";
import type { Sql } from "../../../db/client.ts";
import { dbTest } from "../../helpers/db.ts";
import { fixture } from "../../helpers/fixture.ts";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";
import { scanOnce } from "../../../domain/notifications/scan.ts";
import * as n from "../../../domain/notifications/mine.ts";
import * as levelsRepo from "../../../db/repos/notification_levels.ts";
import * as preferencesRepo from "../../../db/repos/preferences.ts";

dbTest("notification scan: an idle tick locks nothing; due messages are scanned", async (db) => {
  const f = await fixture(db);
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  const cursorRow = async () =>
    (await db.query<{ id: number; xmax: string }>(
      "SELECT last_message_id AS id, xmax::text AS xmax FROM notification_cursor WHERE id = 1",
    ))[0];
  // First start: the cursor is created (at the newest message, none here).
  assert.equal(await scanOnce(f.deps), 0);
  const first = await cursorRow();
  assert.equal(Number(first.id), 0);
  // Idle ticks: the cursor row is not locked (a lock would set its xmax to the tick's transaction).
  for (let i = 0; i < 3; i++) assert.equal(await scanOnce(f.deps), 0);
  assert.equal((await cursorRow()).xmax, first.xmax);
  // A message younger than the grace is not due yet; once older, it is scanned and the cursor moves.
  const m = (await messages.send(f.deps, f.actor("alice"), {
    channelId: general.id,
    clientId: "n1",
    body: "hi @bob",
  }))
    .message;
  assert.equal(await scanOnce(f.deps), 0);
  assert.equal((await cursorRow()).xmax, first.xmax);
  await db.query("UPDATE messages SET created_at = now() - interval '1 hour' WHERE id = $1", [m.id]);
  assert.equal(await scanOnce(f.deps), 1);
  assert.equal(Number((await cursorRow()).id), m.id);
});

/**
 * Who a scan reaches. The scan reads the rows and preferences only of the members a batch can reach, decided
 * before from their levels, the mentions and who stored keywords (bench/notes/notification_scanner.md, "A
 * shorter notification scan"): each case below is someone that choice must not leave out (a stored level
 * "all", the workspace's default "all", a keyword, a direct message, a mention, @channel), beside the people
 * it must not reach (muted, even when named; the sender; plain messages at the level "mentions").
 */
dbTest(
  "notification scan: levels, defaults, keywords, DMs and mentions decide items and pushes",
  async (db) => {
    const f = await fixture(db);
    const u = f.users;
    for (const [name, x] of Object.entries(u)) {
      await db.query("UPDATE users SET email = $1 WHERE id = $2", [`${name}@example.test`, x.id]);
    }
    const names = new Map(Object.entries(u).map(([name, x]) => [x.id, name]));
    for (const who of ["alice", "bob", "carol"] as const) {
      await levelsRepo.upsertSubscription(db, {
        userId: u[who].id,
        workspaceId: f.ws,
        endpoint: `https://push.example.test/${who}`,
        p256dh: "k",
        auth: "a",
        device: who,
      });
    }
    const channel = async (name: string, members: ("alice" | "bob" | "carol")[]) =>
      (await channels.create(f.deps, f.actor("mod"), { name, memberIds: members.map((m) => u[m].id) })).id;
    const general = await channel("general", ["alice", "bob", "carol"]);
    const side = await channel("side", ["alice", "carol"]);
    const loud = await channel("loud", ["bob", "carol"]);
    const dm = (await channels.openDirect(f.deps, f.actor("bob"), { userId: u.alice.id })).id;
    await n.setLevel(f.deps, f.actor("bob"), general, { level: "all" });
    await n.setLevel(f.deps, f.actor("alice"), general, { level: "mute" });
    await preferencesRepo.put(db, u.carol.id, "keywords", ["deploy"]);
    let last = 0;
    const sent: Record<string, number> = {};
    const send = async (label: string, who: "mod" | "bob", channelId: number, body: string) => {
      sent[label] =
        (await messages.send(f.deps, f.actor(who), { channelId, clientId: label, body })).message.id;
    };
    /** Scans what was sent since the last call; returns its items and pushes as "who message reason". */
    const scan = async () => {
      await db.query("UPDATE messages SET created_at = now() - interval '1 hour' WHERE id > $1", [last]);
      assert.ok(await scanOnce(f.deps) > 0);
      const label = new Map(Object.entries(sent).map(([k, v]) => [v, k]));
      const items = await db.query<{ u: number; m: number; r: string }>(
        "SELECT user_id AS u, message_id AS m, reason AS r FROM notification_items WHERE message_id > $1",
        [last],
      );
      const pushes = await db.query<{ u: number; m: number; r: string }>(
        `SELECT user_id AS u, (payload->>'messageId')::bigint AS m, payload->>'reason' AS r FROM notification_outbox
       WHERE transport = 'push' AND (payload->>'messageId')::bigint > $1`,
        [last],
      );
      last = Math.max(...Object.values(sent));
      const show = (rows: { u: number; m: number; r: string }[]) =>
        rows.map((x) => `${names.get(Number(x.u))} ${label.get(Number(x.m))} ${x.r}`).sort();
      return { items: show(items), pushes: show(pushes) };
    };
    await scanOnce(f.deps); // the cursor starts here
    // One batch per case: a person read for one message of a batch is read for all of them, which would hide
    // a case the choice leaves out.
    const pushOnly = (...pushes: string[]) => ({ items: [], pushes });
    await send("plain", "mod", general, "hello all");
    assert.deepEqual(await scan(), pushOnly("bob plain all"), "a level 'all' of one's own");
    await send("keyword", "mod", general, "we deploy today");
    assert.deepEqual(await scan(), {
      items: ["carol keyword keyword"],
      pushes: ["bob keyword all", "carol keyword keyword"],
    }, "a keyword");
    await send("mutedMention", "mod", general, "@alice have a look");
    assert.deepEqual(await scan(), pushOnly("bob mutedMention all"), "muted, even when named");
    await send("dm", "bob", dm, "psst");
    assert.deepEqual(await scan(), { items: ["alice dm dm"], pushes: ["alice dm dm"] }, "a direct message");
    await send("mention", "mod", side, "@alice ping");
    assert.deepEqual(await scan(), { items: ["alice mention mention"], pushes: ["alice mention mention"] });
    await send("broad", "mod", loud, "@channel heads up");
    assert.deepEqual(await scan(), {
      items: ["bob broad mention", "carol broad mention"],
      pushes: ["bob broad mention", "carol broad mention"],
    }, "@channel");
    // The workspace's default for channels becomes "all": people with no level of their own get every message.
    await n.updateWorkspaceSettings(f.deps, f.actor("admin"), {
      defaultLevels: { dm: "all", group: "all", channel: "all" },
    });
    await send("byDefault", "mod", side, "plain news");
    assert.deepEqual(
      await scan(),
      pushOnly("alice byDefault all", "carol byDefault all"),
      "the default 'all'",
    );
    await send("stillMuted", "mod", general, "more news");
    assert.deepEqual(await scan(), pushOnly("bob stillMuted all", "carol stillMuted all"));
  },
);

/**
 * What a scan reads (bench/notes/notification_scanner.md, "The notification scan reads what can notify",
 * fourteenth pass): a message is read only when it names someone, has a broad mention
 * (`messages.broad_mention`, set when it is stored and when it is edited; not known for rows stored before it
 * existed), or is in a direct or group conversation, unless someone in its channel takes every message or has
 * keywords. Each case here is one the stored flag or the channel choice could get wrong, one batch each, in
 * channels where nobody takes every message: a plain message edited into @channel and into a mention, a plain
 * message where someone has a keyword, a direct message, and a broad mention in a row whose flag is not
 * known.
 */
dbTest("notification scan: mentions added by an edit, keywords, DMs and old rows are read", async (db) => {
  const f = await fixture(db);
  const u = f.users;
  for (const [name, x] of Object.entries(u)) {
    await db.query("UPDATE users SET email = $1 WHERE id = $2", [`${name}@example.test`, x.id]);
  }
  const names = new Map(Object.entries(u).map(([name, x]) => [x.id, name]));
  const channel = async (name: string, members: ("alice" | "bob" | "carol")[]) =>
    (await channels.create(f.deps, f.actor("mod"), { name, memberIds: members.map((m) => u[m].id) })).id;
  const quiet = await channel("quiet", ["alice", "bob"]);
  const words = await channel("words", ["alice", "carol"]);
  const dm = (await channels.openDirect(f.deps, f.actor("bob"), { userId: u.alice.id })).id;
  await preferencesRepo.put(db, u.carol.id, "keywords", ["deploy"]);
  let last = 0, n = 0;
  const send = async (who: "mod" | "bob", channelId: number, body: string) =>
    (await messages.send(f.deps, f.actor(who), { channelId, clientId: `c${++n}`, body })).message.id;
  /** Scans what was sent since the last call; returns its items as "who reason". */
  const scan = async () => {
    await db.query("UPDATE messages SET created_at = now() - interval '1 hour' WHERE id > $1", [last]);
    assert.ok(await scanOnce(f.deps) > 0);
    const items = await db.query<{ u: number; r: string }>(
      "SELECT user_id AS u, reason AS r FROM notification_items WHERE message_id > $1",
      [last],
    );
    last = Number((await db.query<{ id: number }>("SELECT max(id) AS id FROM messages"))[0].id);
    return items.map((x) => `${names.get(Number(x.u))} ${x.r}`).sort();
  };
  await scanOnce(f.deps); // the cursor starts here
  await send("mod", quiet, "hello");
  assert.deepEqual(await scan(), [], "a plain message owes nobody");
  const stored = async (id: number) =>
    (await db.query<{ b: boolean | null }>("SELECT broad_mention AS b FROM messages WHERE id = $1", [id]))[0]
      .b;
  const toChannel = await send("mod", quiet, "hello");
  assert.equal(await stored(toChannel), false);
  await messages.edit(f.deps, f.actor("mod"), toChannel, { body: "@channel hello" });
  assert.equal(await stored(toChannel), true, "an edit records the broad mention");
  assert.deepEqual(await scan(), ["alice mention", "bob mention"], "@channel added by an edit");
  const toAlice = await send("mod", quiet, "have a look");
  await messages.edit(f.deps, f.actor("mod"), toAlice, { body: "have a look @alice" });
  assert.deepEqual(await scan(), ["alice mention"], "a mention added by an edit");
  const back = await send("mod", quiet, "@here soon");
  assert.equal(await stored(back), true);
  await messages.edit(f.deps, f.actor("mod"), back, { body: "soon" });
  assert.equal(await stored(back), false, "an edit records that the broad mention is gone");
  assert.deepEqual(await scan(), []);
  await send("mod", words, "we deploy today");
  assert.deepEqual(await scan(), ["carol keyword"], "a keyword in a plain message");
  await send("bob", dm, "psst");
  assert.deepEqual(await scan(), ["alice dm"], "a direct message");
  // A row stored before the flag existed: not known, so read.
  const old = await send("mod", quiet, "hello again");
  await db.query("UPDATE messages SET body = '@channel hello again', broad_mention = NULL WHERE id = $1", [
    old,
  ]);
  assert.deepEqual(await scan(), ["alice mention", "bob mention"], "a broad mention whose flag is not known");
});

/**
 * A scan that wrote nothing but the cursor commits without waiting for the WAL flush
 * (`synchronous_commit = off` for that transaction); one that queued an item or a push commits with the
 * server's setting. A lost cursor-only commit means the next scan reads the same messages again: they owed
 * nothing then and are judged afresh, so nothing is sent twice and nothing is lost
 * (bench/notes/notification_scanner.md, "The notification scan reads what can notify", fourteenth pass).
 */
dbTest("notification scan: a cursor-only scan commits without a flush; a lost cursor rescans", async (db) => {
  const f = await fixture(db);
  const u = f.users;
  for (const [name, x] of Object.entries(u)) {
    await db.query("UPDATE users SET email = $1 WHERE id = $2", [`${name}@example.test`, x.id]);
  }
  const server = (await db.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s"))[0].s;
  /** The scan transactions' `synchronous_commit` as they are about to commit. */
  const seen: string[] = [];
  const deps = {
    ...f.deps,
    db: {
      ...f.deps.db,
      tx: <T>(fn: (sql: Sql) => Promise<T>) =>
        f.deps.db.tx(async (sql) => {
          const out = await fn(sql);
          seen.push(
            (await sql.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s"))[0].s,
          );
          return out;
        }),
    },
  };
  const general = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [u.alice.id, u.bob.id],
  })).id;
  let n = 0;
  const send = async (body: string) =>
    (await messages.send(f.deps, f.actor("mod"), { channelId: general, clientId: `c${++n}`, body })).message
      .id;
  const age = () => db.query("UPDATE messages SET created_at = now() - interval '1 hour'");
  const cursorAt = async () =>
    Number((await db.query<{ id: number }>("SELECT last_message_id AS id FROM notification_cursor"))[0].id);
  const items = async () =>
    (await db.query<{ u: number; m: number }>("SELECT user_id AS u, message_id AS m FROM notification_items"))
      .map((x) => `${Number(x.u)}:${Number(x.m)}`).sort();
  await scanOnce(deps); // the cursor starts here (no batch: no transaction setting asked)
  const start = await cursorAt();
  seen.length = 0;
  const plain = await send("hello");
  await age();
  assert.equal(await scanOnce(deps), 1);
  assert.deepEqual(seen, ["off"], "nothing but the cursor: no flush at commit");
  assert.equal(await cursorAt(), plain);
  assert.deepEqual(await items(), []);
  // The cursor's commit lost (a crash before any later commit flushed it): the cursor is back at the start.
  await db.query("UPDATE notification_cursor SET last_message_id = $1", [start]);
  const mention = await send("@alice look");
  await age();
  seen.length = 0;
  assert.equal(await scanOnce(deps), 2, "the lost batch is read again with the new one");
  assert.deepEqual(seen, [server], "a scan that queued something commits with the server's setting");
  assert.deepEqual(
    await items(),
    [`${u.alice.id}:${mention}`],
    "the mention once; the plain message nothing",
  );
  assert.equal(await cursorAt(), mention);
  seen.length = 0;
  assert.equal(await scanOnce(deps), 0);
  assert.deepEqual(seen, [], "caught up: no transaction");
});
