/**
 * Transcript by email: the visitor asks at the end of the chat, the mail goes through the notification
 * outbox to a real SMTP server (started here), once per conversation, with no internal notes; another
 * visitor's token, a chat still going and bad addresses are refused and queue nothing.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture } from "../http.ts";
import { startSmtp } from "../../helpers/smtp.ts";
import { testConfig } from "../../helpers/fixture.ts";
import { newToken } from "../../../islands/visitor/client.ts";
import * as connectionsRepo from "../../../db/repos/connections.ts";
import { startNotificationWorker } from "../../../notifications/worker.ts";
import { smtpTransport } from "../../../notifications/smtp.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

dbTest("the transcript is mailed once, on request after the end, to the visitor only", async (db) => {
  const smtp = await startSmtp();
  const base = testConfig();
  const h = await httpFixture(db, {
    config: { notifications: { ...base.notifications, smtpUrl: smtp.url, tickMs: 50, retryBaseMs: 100 } },
  });
  const worker = startNotificationWorker(h.f.deps, {
    baseUrl: "http://parley.test",
    linkSecret: "x".repeat(32),
    transports: [smtpTransport({ url: smtp.url, from: "Parley <parley@example.test>" })],
    log: () => {},
  }, false);
  const ticked = async (cond: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end && !cond()) (await worker.tick(), await sleep(50));
    return cond();
  };
  try {
    await db.query("UPDATE users SET permissions = '{chat.public_queue}' WHERE username = 'alice'");
    await connectionsRepo.insertMany(db, [{
      id: crypto.randomUUID(),
      userId: h.f.users.alice.id,
      workspaceId: h.f.ws,
      instanceId: "t",
      page: "",
      userAgent: "",
    }]);
    await h.call("PUT", "/api/visitors/availability", { as: "alice", body: { available: true } });
    const start = async (name: string, email: string) => {
      const token = newToken();
      const r = await h.call("POST", "/api/visitor/start", {
        body: { token, name, email, formMs: 4000, message: `hello from ${name}` },
      });
      assert.equal(r.status, 201, r.text);
      return { token, id: r.json.conversation.id as number, as: { headers: { "x-parley-visitor": token } } };
    };
    const A = await start("Ann", "ann@example.test");
    const B = await start("Ben", "ben@example.test");
    const c = `/api/visitors/conversations/${A.id}`;
    assert.equal((await h.call("POST", `${c}/claim`, { as: "alice" })).status, 200);
    await h.call("POST", `${c}/messages`, { as: "alice", body: { clientId: "a1", body: "How can I help?" } });
    await h.call("POST", `${c}/messages`, {
      as: "alice",
      body: { clientId: "n1", body: "SECRET internal note", note: true },
    });
    const mail = (who: typeof A, body: unknown) =>
      h.call("POST", "/api/visitor/transcript/email", { ...who.as, body });

    // Refused, and nothing queued: a chat still going, bad input, no token, a made-up token.
    assert.equal((await mail(A, {})).status, 409, "not before the end");
    await h.call("POST", "/api/visitor/end", A.as);
    assert.equal((await mail(A, { email: "not an address" })).status, 400);
    assert.equal((await mail(A, { email: "x@example.test", extra: 1 })).status, 400);
    assert.equal((await mail(A, { email: "a@example.test\r\nBcc: b@example.test" })).status, 400);
    assert.equal((await h.call("POST", "/api/visitor/transcript/email", { body: {} })).status, 401);
    assert.equal(
      (await h.call("POST", "/api/visitor/transcript/email", {
        headers: { "x-parley-visitor": newToken() },
        body: {},
      })).status,
      401,
    );
    const queued = async () =>
      (await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM notification_outbox WHERE kind = 'transcript'",
      ))[0].n;
    assert.equal(await queued(), 0);

    // Asked for: mailed to the pre-chat address, once.
    const ok = await mail(A, {});
    assert.equal(ok.status, 202, ok.text);
    assert.equal(ok.json.to, "ann@example.test");
    const again = await mail(A, { email: "other@example.test" });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, "already_sent");
    assert.ok(await ticked(() => smtp.mails.length >= 1), "the transcript reached the SMTP server");
    await ticked(() => false, 500);
    assert.equal(smtp.mails.length, 1, "once");
    const m = smtp.mails[0];
    assert.match(JSON.stringify(m.to), /ann@example\.test/);
    assert.match(m.subject ?? "", new RegExp(`transcript.*#${A.id}`, "i"));
    const text = m.text ?? "";
    assert.match(text, /Ann: hello from Ann/);
    assert.match(text, /How can I help\?/);
    assert.doesNotMatch(text, /SECRET internal note/, "internal notes never reach the visitor");
    assert.doesNotMatch(text, /Ben/, "nothing of another conversation");

    // B asks while chatting (refused), then after the end to an address it types: its own chat only.
    assert.equal((await mail(B, { email: "ben.home@example.test" })).status, 409);
    await h.call("POST", "/api/visitor/end", B.as);
    assert.equal((await mail(B, { email: "ben.home@example.test" })).status, 202);
    assert.ok(await ticked(() => smtp.mails.length >= 2));
    const mb = smtp.mails[1];
    assert.match(JSON.stringify(mb.to), /ben\.home@example\.test/);
    assert.match(mb.text ?? "", /hello from Ben/);
    assert.doesNotMatch(mb.text ?? "", /Ann/);
  } finally {
    await worker.stop();
    await smtp.close();
  }
});
