/**
 * Invitations and password resets made in the admin console are mailed through the notification outbox
 * (`queueMail`) to a real SMTP server; the mailed link sets the password once. Without an address nothing is
 * mailed and the link is only in the answer.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import * as people from "../../domain/admin/people.ts";
import { scene, tickUntil } from "./harness.ts";

dbTest("an invitation and a reset link are emailed, and the mailed link works once", async (db) => {
  const s = await scene(db);
  try {
    const admin = s.f.actor("admin");
    const ctx = { ip: "192.0.2.1", origin: "http://parley.example" };
    const made = await people.create(s.f.deps, admin, ctx, {
      username: "newbie",
      displayName: "New Bie",
      email: "newbie@example.test",
    });
    assert.equal(made.emailed, true);
    await tickUntil(s, () => s.smtp.mails.length === 1);
    const mail = s.smtp.mails[0];
    assert.match(JSON.stringify(mail.to), /newbie@example\.test/);
    assert.equal(mail.subject, "You are invited to Parley");
    const url = /http:\/\/parley\.example\/invite\/(\w+)/.exec(mail.text ?? "");
    assert.ok(url, mail.text);
    assert.equal(`/invite/${url[1]}`, made.link);
    await people.acceptInvite(s.f.deps, { token: url[1], password: "a fine password" });
    await assert.rejects(people.acceptInvite(s.f.deps, { token: url[1], password: "another password" }));

    // A reset for someone with an address is mailed too; without one, only the answer has the link.
    const reset = await people.resetPassword(s.f.deps, admin, ctx, s.f.users.bob.id);
    assert.equal(reset.emailed, true);
    await tickUntil(s, () => s.smtp.mails.length === 2);
    assert.equal(s.smtp.mails[1].subject, "Choose a new Parley password");
    assert.ok(s.smtp.mails[1].text?.includes(`http://parley.example${reset.link}`));
    const quiet = await people.create(s.f.deps, admin, ctx, { username: "nomail", displayName: "No Mail" });
    assert.equal(quiet.emailed, false);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(s.smtp.mails.length, 2);
  } finally {
    await s.close();
  }
});
