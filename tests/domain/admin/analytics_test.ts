/**
 * Analytics and the dashboard's series: per-day volume with active people and files, the week-hour
 * heatmap, busiest channels, visitor chat figures and ratings by agent, each also a CSV; deleted messages
 * do not count; lower ranks are refused; another workspace sees only its own figures.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { expectBody, type Http, httpFixture } from "../../routes/http.ts";
import { world } from "../../routes/world.ts";
import * as A from "../../../routes/api/admin_response_schemas.ts";

// A fixed clock: Wednesday 2026-03-11 12:30 UTC.
const NOW = new Date("2026-03-11T12:30:00Z");

async function send(h: Http, channelId: number, at: string, who: "alice" | "bob" = "alice", del = false) {
  const r = await h.call("POST", `/api/chat/channels/${channelId}/messages`, {
    as: who,
    body: { clientId: crypto.randomUUID(), body: "x" },
  });
  assert.equal(r.status, 201, r.text);
  if (del) {
    await h.f.deps.db.query("UPDATE messages SET created_at = $2 WHERE id = $1", [r.json.message.id, NOW]);
    assert.equal(
      (await h.call("DELETE", `/api/chat/messages/${r.json.message.id}`, { as: who })).status,
      200,
    );
  }
  await h.f.deps.db.query("UPDATE messages SET created_at = $2 WHERE id = $1", [r.json.message.id, at]);
  return r.json.message.id as number;
}

dbTest(
  "analytics: volume, heatmap, busiest channels, visitor figures and ratings, as JSON and CSV",
  async (db) => {
    const h = await httpFixture(db, { now: () => NOW });
    const w = await world(h.f);
    // The world's two messages are "now" by the database clock: move them out of the window.
    await db.query("UPDATE messages SET created_at = '2020-01-01T00:00:00Z'");
    await send(h, w.general, "2026-03-11T09:15:00Z");
    await send(h, w.general, "2026-03-11T09:45:00Z", "bob");
    await send(h, w.secret, "2026-03-10T23:10:00Z"); // Tuesday
    await send(h, w.general, "2026-03-11T10:00:00Z", "alice", true); // deleted: never counted
    await send(h, w.dm, "2026-03-11T11:00:00Z"); // a DM: counted in volume, never in busiest channels
    // Two visitor chats: one answered after 60 s (first agent message at +90 s, ended 10 min later), one waiting.
    const conv = async (queued: string, assigned: string | null, ended: string | null) =>
      (await db.query<{ id: number }>(
        `INSERT INTO visitor_conversations (workspace_id, token_hash, status, agent_id, queued_at, assigned_at,
         ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [h.f.ws, crypto.randomUUID(), ended ? "ended" : "waiting", h.f.users.bob.id, queued, assigned, ended],
      ))[0].id;
    const c1 = await conv("2026-03-11T08:00:00Z", "2026-03-11T08:01:00Z", "2026-03-11T08:11:00Z");
    await conv("2026-03-11T12:00:00Z", null, null);
    await db.query(
      `INSERT INTO visitor_messages (conversation_id, workspace_id, seq, kind, author_id, client_id, body, created_at)
     VALUES ($1, $2, 1, 'agent', $3, 'a1', 'hi', '2026-03-11T08:01:30Z')`,
      [c1, h.f.ws, h.f.users.bob.id],
    );
    await db.query(
      `INSERT INTO visitor_ratings (conversation_id, workspace_id, agent_id, team, scale, value, created_at)
     VALUES ($1, $2, $3, 'sales', 'stars', 4, '2026-03-11T08:12:00Z')`,
      [c1, h.f.ws, h.f.users.bob.id],
    );

    const a = expectBody(
      await h.call("GET", "/api/admin/analytics?days=7", { as: "admin" }),
      200,
      A.AnalyticsResponse,
    );
    assert.equal(a.perDay.length, 7);
    assert.deepEqual(a.perDay.at(-1), { day: "2026-03-11", messages: 3, activePeople: 2, files: 0 });
    assert.deepEqual(a.perDay.at(-2), { day: "2026-03-10", messages: 1, activePeople: 1, files: 0 });
    assert.equal(a.perDay.slice(0, 5).reduce((n, d) => n + d.messages, 0), 0);
    assert.deepEqual(a.weekHours, [
      { dow: 2, hour: 23, messages: 1 },
      { dow: 3, hour: 9, messages: 2 },
      { dow: 3, hour: 11, messages: 1 },
    ]);
    assert.deepEqual(a.busiestChannels.map((c) => [c.name, c.messages]), [["general", 2], ["secret", 1]]);
    assert.deepEqual(a.visitor, {
      chats: 2,
      answered: 1,
      waitSeconds: 60,
      firstAnswerSeconds: 90,
      lengthSeconds: 600,
    });
    assert.deepEqual(a.ratings, [{ agent: "Bob", team: "sales", scale: "stars", ratings: 1, average: 4 }]);

    const csv = await h.call("GET", "/api/admin/analytics/export?chart=busiest_channels&days=7", {
      as: "admin",
    });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /text\/csv/);
    assert.equal(csv.text, "channel,messages\r\ngeneral,2\r\nsecret,1\r\n");
    const perDay = await h.call("GET", "/api/admin/analytics/export?chart=per_day&days=7", { as: "admin" });
    assert.equal(perDay.text.split("\r\n").at(-2), "2026-03-11,3,2,0");
    const bad = await h.call("GET", "/api/admin/analytics/export?chart=secrets", { as: "admin" });
    assert.equal(bad.status, 400);

    // The dashboard's series: 24 hourly buckets ending with the current hour, 30 days ending today.
    const d = expectBody(await h.call("GET", "/api/admin/dashboard", { as: "admin" }), 200, A.Dashboard);
    assert.equal(d.messagesPerHour.length, 24);
    assert.deepEqual(d.messagesPerHour.at(-1), { hour: "2026-03-11T12:00", messages: 0 });
    assert.deepEqual(d.messagesPerHour.at(-4), { hour: "2026-03-11T09:00", messages: 2 });
    assert.equal(d.messagesPerDay.length, 30);
    assert.deepEqual(d.messagesPerDay.at(-1), { day: "2026-03-11", messages: 3 });

    // Lower ranks are refused; another workspace's admin sees only their own (empty) workspace.
    for (const who of ["mod", "alice"] as const) {
      assert.equal((await h.call("GET", "/api/admin/analytics", { as: who })).status, 403, who);
      assert.equal(
        (await h.call("GET", "/api/admin/analytics/export?chart=per_day", { as: who })).status,
        403,
      );
    }
    await db.query("UPDATE users SET role = 'admin' WHERE id = $1", [h.f.users.eve.id]);
    const other = expectBody(
      await h.call("GET", "/api/admin/analytics?days=7", { as: "eve" }),
      200,
      A.AnalyticsResponse,
    );
    assert.equal(other.perDay.reduce((n, d) => n + d.messages, 0), 0);
    assert.deepEqual([other.busiestChannels, other.ratings, other.visitor.chats], [[], [], 0]);
  },
);
