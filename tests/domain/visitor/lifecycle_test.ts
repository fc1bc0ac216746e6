/** Visitor chat lifecycle: start (idempotent, bot checks, offline), messages, end -> ticket, rating once. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { refused } from "../../helpers/assert.ts";
import { visitorFixture } from "./helpers.ts";
import * as lifecycle from "../../../domain/visitor/lifecycle.ts";
import * as chat from "../../../domain/visitor/chat.ts";
import * as routing from "../../../domain/visitor/routing.ts";
import * as staff from "../../../domain/visitor/staff.ts";
import { authenticateVisitor } from "../../../domain/visitor/access.ts";
import { transcript } from "../../../domain/visitor/transcript.ts";
import { newToken } from "../../../islands/visitor/client.ts";

const count = async (db: { query: (q: string) => Promise<unknown[]> }, table: string) =>
  ((await db.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[])[0].n;

dbTest("fifty concurrent starts with one token make one conversation", async (db) => {
  const f = await visitorFixture(db);
  await f.agent("alice");
  const token = newToken();
  const results = await Promise.allSettled(
    Array.from(
      { length: 50 },
      () =>
        lifecycle.start(f.deps, f.ws, { token, name: "Vera", formMs: 5000, message: "hi" }, {
          ip: "10.1.1.1",
          userAgent: "x",
        }),
    ),
  );
  const ok = results.filter((r) => r.status === "fulfilled").map((r) => r.value.conversation.id);
  assert.ok(ok.length >= 1);
  assert.equal(new Set(ok).size, 1);
  for (const r of results) {
    if (r.status === "rejected") assert.equal((r.reason as { code: string }).code, "rate_limited");
  }
  assert.equal(await count(db, "visitor_conversations"), 1);
  assert.equal(await count(db, "visitor_messages WHERE kind = 'visitor'"), 1, "the pre-chat message once");
});

dbTest("bots and bad input are refused and change nothing", async (db) => {
  const f = await visitorFixture(db);
  await f.agent("alice");
  const start = (x: Record<string, unknown>) =>
    lifecycle.start(f.deps, f.ws, { token: newToken(), name: "V", formMs: 5000, ...x }, {
      ip: "1.2.3.4",
      userAgent: "",
    });
  await refused(start({ website: "http://spam" }), 400, "bot_suspected");
  await refused(start({ formMs: 300 }), 400, "too_fast");
  await refused(start({ name: "" }), 400, "invalid_input");
  await refused(start({ email: "not-an-email" }), 400, "invalid_input");
  await refused(start({ topic: "Not offered" }), 400, "invalid_input");
  await refused(start({ token: "short" }), 400, "invalid_input");
  await refused(start({ extra: 1 }), 400, "invalid_input");
  await refused(start({ message: "x\u0000y" }), 400, "invalid_input");
  assert.equal(await count(db, "visitor_conversations"), 0);
});

dbTest("with nobody available, or outside business hours, start says offline", async (db) => {
  const f = await visitorFixture(db);
  await refused(f.visitor(), 409, "offline");
  const alice = await f.staff("alice");
  await routing.setAvailability(f.deps, alice, { available: true });
  await refused(f.visitor(), 409, "offline"); // available but not online
  const conn = await f.online(alice.userId);
  await f.setting("business_hours", [{
    day: (new Date().getUTCDay() + 1) % 7,
    open: "00:00",
    close: "23:59",
  }]);
  await refused(f.visitor(), 409, "offline");
  await f.setting("business_hours", []);
  assert.ok((await f.visitor()).id > 0);
  await f.offline(conn);
  await refused(f.visitor(), 409, "offline");
});

dbTest("a chat ends once, makes a ticket with the transcript, and is rated once", async (db) => {
  const f = await visitorFixture(db);
  const alice = await f.agent("alice");
  const { v, id } = await f.visitor({ topic: "Billing", email: "vera@example.com" });
  await routing.claim(f.deps, alice, id);
  await chat.visitorSend(f.deps, v, { clientId: "c1", body: "My invoice is wrong" });
  await chat.visitorSend(f.deps, v, { clientId: "c1", body: "My invoice is wrong" }); // retried: stored once
  await chat.agentSend(f.deps, alice, id, { clientId: "a1", body: "Let me check" });
  await chat.agentSend(f.deps, alice, id, { clientId: "n1", body: "secret internal note" }, true);
  await refused(lifecycle.rate(f.deps, v, { value: 5 }), 409, "conflict");
  await lifecycle.endByVisitor(f.deps, v);
  await lifecycle.endByVisitor(f.deps, v); // twice: no second ticket
  await refused(chat.visitorSend(f.deps, v, { clientId: "c2", body: "late" }), 409);
  const tickets = await db.query<{ body: string; category: string; requester_email: string }>(
    "SELECT body, category, requester_email FROM tickets",
  );
  assert.equal(tickets.length, 1);
  assert.equal(tickets[0].category, "Billing");
  assert.equal(tickets[0].requester_email, "vera@example.com");
  assert.match(tickets[0].body, /My invoice is wrong/);
  assert.doesNotMatch(tickets[0].body, /secret internal note/);
  await refused(lifecycle.rate(f.deps, v, { value: 6 }), 400, "invalid_input");
  assert.deepEqual(await lifecycle.rate(f.deps, v, { value: 4, comment: "Quick" }), { ok: true });
  await refused(lifecycle.rate(f.deps, v, { value: 1 }), 409, "already_rated");
  assert.equal((await db.query<{ rating: number }>("SELECT rating FROM tickets"))[0].rating, 4);
  const text = await transcript(f.deps, v);
  assert.match(text, /Let me check/);
  assert.doesNotMatch(text, /secret internal note/);
  const view = await lifecycle.viewOf(f.deps, v);
  assert.equal(view.status, "ended");
  assert.equal(view.rated, true);
  assert.ok(view.messages.every((m) => m.kind !== "note"), "the visitor never sees notes");
  const admin = await f.staff("admin");
  const r = await staff.ratings(f.deps, admin);
  assert.equal(r.byAgent[0].name, "Alice");
  assert.equal(r.byAgent[0].count, 1);
  assert.equal(r.byAgent[0].average, 75);
  assert.equal(r.byAgent[0].recent[0].comment, "Quick");
  await refused(staff.ratings(f.deps, alice), 403);
});

dbTest("the recovery window: a token resumes inside it and is refused after it", async (db) => {
  let now = Date.now();
  const f = await visitorFixture(db, { now: () => new Date(now) });
  await f.agent("alice");
  const { token, id } = await f.visitor();
  now += 4 * 60_000;
  assert.equal((await authenticateVisitor(f.deps, token)).conversationId, id);
  await db.query(
    `INSERT INTO visitor_presence (conversation_id, seen_at) SELECT id, $1 FROM visitor_conversations
     ON CONFLICT (conversation_id) DO UPDATE SET seen_at = excluded.seen_at`,
    [new Date(now).toISOString()],
  );
  now += 6 * 60_000;
  await refused(authenticateVisitor(f.deps, token), 410, "recovery_expired");
  const row = (await db.query<{ status: string }>("SELECT status FROM visitor_conversations"))[0];
  assert.equal(row.status, "ended", "an abandoned chat leaves the queue");
  await refused(authenticateVisitor(f.deps, token), 410, "recovery_expired");
  await refused(authenticateVisitor(f.deps, newToken()), 401);
});
