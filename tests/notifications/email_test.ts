/** Email for unread DMs, mentions and keywords: after the delay, grouped, in time, once, unsubscribable. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import * as messages from "../../domain/messages.ts";
import * as n from "../../domain/notifications/mine.ts";
import { createApp } from "../../routes/app.ts";
import { BASE, scene, sleep, tickFor, tickUntil } from "./harness.ts";

dbTest("an unread DM and a mention are mailed after the delay, grouped into one mail", async (db) => {
  const s = await scene(db);
  try {
    const dm = await s.dm("bob", "alice");
    const general = await s.channel("general", ["alice", "bob", "carol"]);
    const m1 = await s.send("bob", dm, "Are you coming to the **review**?\nsecond line");
    await s.send("bob", dm, "ping");
    await s.send("carol", general, "@alice can you look at the deploy?");
    await s.send("carol", general, "plain channel chatter"); // channels default to mentions only
    await tickFor(s, 300);
    assert.equal(s.smtp.mails.length, 0, "nothing before the delay (60 minutes, one is 50 ms here)");
    await tickUntil(s, () => s.smtp.mails.length >= 1);
    await tickFor(s, 300);
    const toAlice = s.smtp.mails.filter((m) => m.to && JSON.stringify(m.to).includes("alice@example.test"));
    assert.equal(toAlice.length, 1, "one mail per person per window");
    assert.equal(s.smtp.mails.length, 1, "nobody else gets mail (bob and carol wrote)");
    const mail = toAlice[0];
    assert.equal(mail.subject, "3 unread messages in Parley");
    const text = mail.text ?? "";
    assert.match(text, /Direct message from Bob \(2\)/);
    assert.match(text, /Bob: Are you coming to the review\?/);
    assert.doesNotMatch(text, /second line/);
    assert.match(text, /#general \(1\)/);
    assert.match(text, /Carol: @alice can you look at the deploy\?/);
    assert.doesNotMatch(text, /chatter/);
    assert.ok(text.includes(`${BASE}/chat/${dm}/${m1}`), "a link to the conversation at the message");
    assert.match(String(mail.html), /<strong>Bob<\/strong>: Are you coming to the review\?/);
    const raw = Object.fromEntries(mail.headerLines.map((h) => [h.key, h.line]));
    assert.match(
      raw["list-unsubscribe"],
      /<http:\/\/parley\.test\/notifications\/unsubscribe\?u=\d+&t=[\w-]+>/,
    );
    assert.match(raw["list-unsubscribe-post"], /List-Unsubscribe=One-Click/);
  } finally {
    await s.close();
  }
});

dbTest("nothing is mailed for what was read on another device or deleted before the delay", async (db) => {
  const s = await scene(db);
  try {
    const dm = await s.dm("bob", "alice");
    const dm2 = await s.dm("carol", "alice");
    await s.send("bob", dm, "one");
    const last = await messages.send(s.f.deps, s.f.actor("bob"), {
      channelId: dm,
      clientId: "x2",
      body: "two",
    });
    const gone = await s.send("carol", dm2, "oops, wrong person");
    await s.worker.tick();
    await messages.markRead(s.f.deps, s.f.actor("alice"), dm, { seq: last.message.seq });
    await messages.remove(s.f.deps, s.f.actor("carol"), gone);
    await tickFor(s, 4000);
    assert.equal(s.smtp.mails.length, 0);
  } finally {
    await s.close();
  }
});

dbTest("during quiet hours nothing is mailed; the window waits for them to end", async (db) => {
  const s = await scene(db);
  try {
    const all = { from: "00:00", to: "00:00" }; // equal times: the whole day
    await n.update(s.f.deps, s.f.actor("alice"), {
      dnd: { schedule: { sun: all, mon: all, tue: all, wed: all, thu: all, fri: all, sat: all } },
    });
    const dm = await s.dm("bob", "alice");
    await s.send("bob", dm, "late night question");
    await tickFor(s, 4000);
    assert.equal(s.smtp.mails.length, 0);
    const [item] = await db.query<{ email_state: string }>("SELECT email_state FROM notification_items");
    assert.equal(item.email_state, "pending", "held, not dropped");
    // Quiet hours end: the held window goes out.
    await n.update(s.f.deps, s.f.actor("alice"), { dnd: { schedule: {} } });
    await db.query("UPDATE notification_items SET email_due_at = now()");
    await tickUntil(s, () => s.smtp.mails.length === 1);
  } finally {
    await s.close();
  }
});

dbTest(
  "the one-click unsubscribe link (RFC 8058 POST) stops the mails; a forged one is refused",
  async (db) => {
    const s = await scene(db);
    try {
      const dm = await s.dm("bob", "alice");
      await s.send("bob", dm, "first");
      await tickUntil(s, () => s.smtp.mails.length === 1);
      const raw = Object.fromEntries(s.smtp.mails[0].headerLines.map((h) => [h.key, h.line]));
      const link = raw["list-unsubscribe"].match(/<([^>]+)>/)![1].replace(BASE, "");
      const app = createApp(s.f.deps);
      const forged = await app.request(link.replace(/t=[\w-]+/, "t=AAAA"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      assert.equal(forged.status, 404);
      const other = await app.request(link.replace(/u=\d+/, `u=${s.f.users.bob.id}`), {
        method: "POST",
        body: "List-Unsubscribe=One-Click",
      });
      assert.equal(other.status, 404, "alice's token does not unsubscribe bob");
      const page = await app.request(link);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<form method="post"/);
      assert.equal(
        (await n.mine(s.f.deps, s.f.actor("alice"))).prefs.email.enabled,
        true,
        "GET changes nothing",
      );
      const res = await app.request(link, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      assert.equal(res.status, 200);
      assert.equal((await n.mine(s.f.deps, s.f.actor("alice"))).prefs.email.enabled, false);
      assert.equal((await n.mine(s.f.deps, s.f.actor("bob"))).prefs.email.enabled, true);
      await s.send("bob", dm, "second");
      await tickFor(s, 4000);
      assert.equal(s.smtp.mails.length, 1, "no mail after unsubscribing");
    } finally {
      await s.close();
    }
  },
);

dbTest("a restart in the middle of a window sends exactly one mail", async (db) => {
  const s = await scene(db);
  try {
    const dm = await s.dm("bob", "alice");
    await s.send("bob", dm, "before the restart");
    await s.worker.tick();
    await s.restartWorker();
    await s.send("bob", dm, "after the restart");
    await tickUntil(s, () => s.smtp.mails.length === 1);
    await s.restartWorker();
    await tickFor(s, 1500);
    assert.equal(s.smtp.mails.length, 1);
    assert.match(s.smtp.mails[0].text ?? "", /before the restart[\s\S]*after the restart/);
    const rows = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM notification_outbox WHERE transport = 'email'",
    );
    assert.equal(rows[0].n, 1);
  } finally {
    await s.close();
  }
});

dbTest("a failing SMTP server is retried with back-off and the mail goes out once", async (db) => {
  const s = await scene(db);
  try {
    s.smtp.failNext(2, 451);
    const dm = await s.dm("bob", "alice");
    await s.send("bob", dm, "hello");
    // Chat goes on while the mail fails.
    await tickUntil(s, () => s.logs.some((l) => l.includes("attempt 1 failed")));
    const general = await s.channel("general", ["alice", "bob"]);
    assert.ok(await s.send("bob", general, "still chatting") > 0);
    await tickUntil(s, () => s.smtp.mails.length === 1, 8000);
    const [row] = await db.query<{ attempts: number; state: string }>(
      "SELECT attempts, state FROM notification_outbox WHERE transport = 'email'",
    );
    assert.equal(row.state, "sent");
    assert.equal(row.attempts, 3);
    await tickFor(s, 500);
    assert.equal(s.smtp.mails.length, 1);
  } finally {
    await s.close();
  }
});

dbTest(
  "mute and mention levels: muted gets nothing, 'mentions' skips plain messages, keywords count",
  async (db) => {
    const s = await scene(db);
    try {
      const dm = await s.dm("bob", "alice");
      const dmCarol = await s.dm("carol", "alice");
      const general = await s.channel("general", ["alice", "bob", "carol"]);
      await n.setLevel(s.f.deps, s.f.actor("alice"), dm, { level: "mute" });
      await n.setLevel(s.f.deps, s.f.actor("alice"), dmCarol, { level: "mentions" });
      await n.setLevel(s.f.deps, s.f.actor("carol"), general, { level: "mute" });
      await n.update(s.f.deps, s.f.actor("alice"), { keywords: ["Deploy"] });
      await s.send("bob", dm, "muted DM"); // alice muted this DM
      await s.send("carol", dmCarol, "plain DM at mentions level");
      await s.send("bob", general, "@carol muted channel mention"); // carol muted general
      await s.send("bob", general, "the deploy is done"); // alice's keyword
      await s.send("bob", general, "redeployment is not the word"); // not a whole word
      await tickUntil(s, () => s.smtp.mails.length >= 1);
      await tickFor(s, 1000);
      assert.deepEqual(s.smtp.mails.map((m) => JSON.stringify(m.to)).map((t) => t.match(/"(\w+)@/)?.[1]), [
        "alice",
      ]);
      const text = s.smtp.mails[0].text ?? "";
      assert.match(text, /the deploy is done/);
      assert.doesNotMatch(text, /muted DM|redeployment|plain DM/);
    } finally {
      await s.close();
    }
  },
);

dbTest("@channel reaches everyone in a small channel; in a large one only from moderators", async (db) => {
  const s = await scene(db);
  try {
    const general = await s.channel("general", ["alice", "bob", "carol"]);
    await s.send("bob", general, "@channel lunch?");
    await tickUntil(s, () => s.smtp.mails.length === 3); // alice, carol, mod
    await n.updateWorkspaceSettings(s.f.deps, s.f.actor("admin"), { broadMentionThreshold: 2 });
    await s.send("bob", general, "@everyone again?"); // bob is a plain member: not allowed now
    await s.send("mod", general, "@here and @channel from the moderator");
    await sleep(100);
    await tickUntil(s, () => s.smtp.mails.length === 6); // alice, bob, carol (the mod wrote it)
    await tickFor(s, 300);
    assert.equal(s.smtp.mails.length, 6);
    assert.ok(s.smtp.mails.slice(3).every((m) => !/again\?/.test(m.text ?? "")));
  } finally {
    await s.close();
  }
});
