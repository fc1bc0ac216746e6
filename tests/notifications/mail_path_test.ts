/**
 * The one mail path for other features: an invitation and a password reset from the admin console are
 * mailed through the outbox to a real SMTP server (once, with the one-time link, in the person's language);
 * someone without an address gets no mail and the admin still gets the link.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import * as people from "../../domain/admin/people.ts";
import * as preferences from "../../domain/preferences/user.ts";
import { scene, tickFor, tickUntil } from "./harness.ts";

const ctx = { ip: "127.0.0.1", origin: "http://chat.example.test" };

dbTest("invitations and password resets are mailed through the outbox, once", async (db) => {
  const s = await scene(db);
  try {
    const admin = s.f.actor("admin");
    const made = await people.create(s.f.deps, admin, ctx, {
      username: "newbie",
      displayName: "New Person",
      email: "new.person@example.test",
    });
    assert.equal(made.emailed, true);
    await tickUntil(s, () => s.smtp.mails.length >= 1);
    const invite = s.smtp.mails[0];
    assert.equal(invite.subject, "You are invited to Parley");
    assert.match(JSON.stringify(invite.to), /new\.person@example\.test/);
    assert.ok(invite.text?.includes(`http://chat.example.test${made.link}`), invite.text);

    await preferences.update(s.f.deps, s.f.actor("alice"), { language: "de" });
    const reset = await people.resetPassword(s.f.deps, admin, ctx, s.f.users.alice.id);
    assert.equal(reset.emailed, true);
    await tickUntil(s, () => s.smtp.mails.length >= 2);
    const mail = s.smtp.mails[1];
    assert.equal(mail.subject, "Neues Parley-Passwort wählen", "in the person's language");
    assert.match(JSON.stringify(mail.to), /alice@example\.test/);
    assert.ok(mail.text?.includes(`http://chat.example.test${reset.link}`));

    const quiet = await people.create(s.f.deps, admin, ctx, { username: "nomail", displayName: "No Mail" });
    assert.equal(quiet.emailed, false);
    assert.match(quiet.link ?? "", /^\/invite\//);
    await s.restartWorker();
    await tickFor(s, 500);
    assert.equal(s.smtp.mails.length, 2, "each mail once, also after a restart; none without an address");
  } finally {
    await s.close();
  }
});
