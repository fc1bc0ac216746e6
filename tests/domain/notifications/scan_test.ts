/**
 * The notification scan's idle tick (domain/notifications/scan.ts): with nothing due it only reads (no row
 * lock on the cursor, so no transaction id and no WAL flush at commit); a due message is still scanned, and
 * a first start still begins at the newest message.
 */
import assert from "node:assert/strict";
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
 * before from their levels, the mentions and who stored keywords (bench README, "A shorter notification
 * scan"): each case below is someone that choice must not leave out (a stored level "all", the workspace's
 * default "all", a keyword, a direct message, a mention, @channel), beside the people it must not reach (muted,
 * even when named; the sender; plain messages at the level "mentions").
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
