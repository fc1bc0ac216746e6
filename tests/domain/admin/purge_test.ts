/**
 * Purge of old data (issue 13): the dry run counts per kind exactly what the purge then deletes (messages
 * and their files through retention's path, channel events replay no longer needs, ended visitor
 * conversations, audit entries), channels on legal hold keep everything, the typed confirmation is
 * required, progress streams as NDJSON, and it is audited. Lower ranks are refused and change nothing.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { expectBody, type Http, httpFixture, ORIGIN, snapshot } from "../../routes/http.ts";
import { world } from "../../routes/world.ts";
import { send, uploadPdf } from "./old_data.ts";
import { testConfig } from "../../helpers/fixture.ts";
import * as A from "../../../routes/api/admin_response_schemas.ts";

const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

async function visitorConversation(h: Http, status: string, endedDaysAgo: number | null) {
  const [v] = await h.f.deps.db.query<{ id: number }>(
    `INSERT INTO visitor_conversations (workspace_id, token_hash, status, queued_at, ended_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [
      h.f.users.admin.workspaceId,
      crypto.randomUUID(),
      status,
      ago(200),
      endedDaysAgo ? ago(endedDaysAgo) : null,
    ],
  );
  await h.f.deps.db.query(
    "INSERT INTO visitor_messages (workspace_id, conversation_id, seq, kind, client_id, body) VALUES ($1, $2, 1, 'visitor', 'c1', 'hi')",
    [h.f.users.admin.workspaceId, v.id],
  );
  return v.id;
}

dbTest("purge: the dry run says what would go, the typed purge deletes exactly that", async (db) => {
  const h = await httpFixture(db, { config: { ws: { ...testConfig().ws, replayLimit: 2 } } });
  const w = await world(h.f);
  const as = "admin" as const;
  const fileId = await uploadPdf(h, w.general);
  const old = await send(h, w.general, "ancient walrus", [fileId]);
  const fresh = await send(h, w.general, "fresh walrus");
  const held = await send(h, w.secret, "held walrus");
  const age = (id: number, days: number) =>
    db.query("UPDATE messages SET created_at = $2 WHERE id = $1", [id, ago(days)]);
  await age(old, 120);
  await age(w.msg, 95);
  await age(held, 400);
  await db.query("UPDATE channel_events SET created_at = $1 WHERE channel_id = ANY($2::bigint[])", [
    ago(200),
    [w.general, w.secret],
  ]);
  await h.call("PUT", `/api/admin/channels/${w.secret}/legal-hold`, { as, body: { on: true } });
  const gone = await visitorConversation(h, "ended", 100);
  const recent = await visitorConversation(h, "ended", 10);
  const waiting = await visitorConversation(h, "waiting", null);
  await db.query("INSERT INTO audit_log (workspace_id, action, created_at) VALUES ($1, 'ancient', $2)", [
    h.f.users.admin.workspaceId,
    ago(300),
  ]);
  const [ev] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM channel_events x JOIN channels c ON c.id = x.channel_id
     WHERE c.id = $1 AND x.seq <= c.last_seq - 2`,
    [w.general],
  );
  assert.ok(ev.n > 0);

  // Refused below admin; bad input and a missing or wrong confirmation change nothing.
  const before = await snapshot(db);
  for (const who of ["mod", "alice"] as const) {
    const d = await h.call("POST", "/api/admin/purge/dry-run", { as: who, body: { olderThanDays: 90 } });
    assert.equal(d.status, 403, who);
    const p = await h.call("POST", "/api/admin/purge", {
      as: who,
      body: { olderThanDays: 90, confirm: "purge" },
    });
    assert.equal(p.status, 403, who);
  }
  for (
    const body of [{ olderThanDays: 90 }, { olderThanDays: 90, confirm: "yes" }, {
      olderThanDays: 0,
      confirm: "purge",
    }]
  ) {
    const r = await h.call("POST", "/api/admin/purge", { as, body });
    assert.equal(r.status, 400, JSON.stringify(body));
  }
  assert.equal(
    (await h.call("POST", "/api/admin/purge/dry-run", { as, body: { olderThanDays: "x" } })).status,
    400,
  );
  assert.equal(await snapshot(db), before);

  // Another workspace's admin counts only their own (empty) workspace.
  await db.query("UPDATE users SET role = 'admin' WHERE id = $1", [h.f.users.eve.id]);
  const foreign = await h.call("POST", "/api/admin/purge/dry-run", { as: "eve", body: { olderThanDays: 1 } });
  assert.deepEqual(foreign.json.counts, {
    messages: 0,
    files: 0,
    events: 0,
    visitorConversations: 0,
    auditEntries: 0,
  });

  // The dry run.
  const rows = "SELECT (SELECT count(*) FROM messages WHERE deleted_at IS NULL) AS m, " +
    "(SELECT count(*) FROM channel_events) AS e, (SELECT count(*) FROM visitor_conversations) AS v, " +
    "(SELECT count(*) FROM files WHERE status = 'ready') AS f";
  const counted = await db.query(rows);
  const dry = expectBody(
    await h.call("POST", "/api/admin/purge/dry-run", { as, body: { olderThanDays: 90 } }),
    200,
    A.PurgeDryRunResponse,
  );
  assert.deepEqual(dry.counts, {
    messages: 2,
    files: 1,
    events: ev.n,
    visitorConversations: 1,
    auditEntries: 1,
  });
  // Nothing but the audit log changed.
  assert.deepEqual(await db.query(rows), counted);

  // The purge, with progress.
  const mark = h.f.published.length;
  const r = await h.call("POST", "/api/admin/purge", { as, body: { olderThanDays: 90, confirm: "purge" } });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get("content-type") ?? "", /ndjson/);
  const lines = r.text.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines[0].totals, dry.counts);
  assert.ok(lines.some((l) => l.kind === "messages" && l.done === 2 && l.total === 2));
  const last = lines.at(-1);
  assert.equal(last.finished, true);
  assert.deepEqual(
    [last.counts.messages, last.counts.files, last.counts.visitorConversations, last.counts.auditEntries],
    [2, 1, 1, 1],
  );
  // The purge's own message_deleted events move the head on: events that fell out of the window go too.
  assert.ok(last.counts.events >= ev.n);

  // Exactly that went: the old messages through the delete path, not the fresh one nor the one on hold.
  const deleted = await db.query<{ id: number; body: string }>(
    "SELECT id, body FROM messages WHERE deleted_at IS NOT NULL ORDER BY id",
  );
  assert.deepEqual(deleted.map((m) => m.id), [w.msg, old].sort((a, b) => a - b));
  assert.ok(deleted.every((m) => m.body === ""));
  for (const id of [fresh, held, w.secretMsg]) {
    const m = await h.call("GET", `/api/chat/messages/${id}`, { as: "alice" });
    assert.equal(m.json.message.deletedAt, null, `${id} kept`);
  }
  const published = h.f.published.slice(mark).filter((e) => e.event.type === "message_deleted");
  assert.equal(published.length, 2);
  const file = await h.app.request(`${ORIGIN}/api/chat/files/${fileId}`, {
    headers: { authorization: `Bearer ${h.tokens.alice}` },
  });
  assert.equal(file.status, 404);
  await file.body?.cancel();
  // Events: what replay still needs stays (the last two of each channel), and the held channel keeps all.
  const [left] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM channel_events x JOIN channels c ON c.id = x.channel_id
     WHERE c.id = $1 AND x.seq <= c.last_seq - 2`,
    [w.general],
  );
  assert.equal(left.n, 0);
  const [head] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM channel_events x WHERE x.channel_id = $1",
    [w.general],
  );
  assert.equal(head.n, 2);
  const [secret] = await db.query<{ n: number; last: number }>(
    "SELECT count(*)::int AS n, (SELECT last_seq FROM channels WHERE id = $1)::int AS last FROM channel_events WHERE channel_id = $1",
    [w.secret],
  );
  assert.equal(secret.n, secret.last);
  // History still reads after the events went.
  const hist = await h.call("GET", `/api/chat/channels/${w.general}/messages`, { as: "alice" });
  assert.equal(hist.status, 200);
  assert.match(hist.text, /fresh walrus/);
  // Visitor conversations: only the one ended 100 days ago, with its messages.
  const convs = await db.query<{ id: number }>("SELECT id FROM visitor_conversations ORDER BY id");
  assert.deepEqual(convs.map((c) => c.id), [recent, waiting]);
  assert.equal(
    (await db.query("SELECT 1 FROM visitor_messages WHERE conversation_id = $1", [gone])).length,
    0,
  );
  // Audit: the ancient entry went; the dry run and the purge are recorded with their counts.
  assert.equal((await db.query("SELECT 1 FROM audit_log WHERE action = 'ancient'")).length, 0);
  const log = await h.call("GET", "/api/admin/audit?action=purge", { as });
  assert.equal(log.json.entries.length, 1);
  assert.equal(log.json.entries[0].detail.messages, 2);
  assert.equal(log.json.entries[0].detail.olderThanDays, 90);
  const dryLog = await h.call("GET", "/api/admin/audit?action=purge_dry_run", { as });
  assert.equal(dryLog.json.entries[0].detail.visitorConversations, 1);

  // A second dry run finds nothing more of the kinds that went.
  const again = await h.call("POST", "/api/admin/purge/dry-run", { as, body: { olderThanDays: 90 } });
  assert.deepEqual([again.json.counts.messages, again.json.counts.visitorConversations], [0, 0]);

  // One purge at a time: a second one is refused while the first streams, and allowed after it ended.
  const body = JSON.stringify({ olderThanDays: 90, confirm: "purge" });
  const headers = { authorization: `Bearer ${h.tokens.admin}`, "content-type": "application/json" };
  const first = await h.app.request(`${ORIGIN}/api/admin/purge`, { method: "POST", headers, body });
  assert.equal(first.status, 200);
  const second = await h.call("POST", "/api/admin/purge", {
    as,
    body: { olderThanDays: 90, confirm: "purge" },
  });
  assert.equal(second.status, 409, second.text);
  assert.match(await first.text(), /"finished":true/);
  const third = await h.call("POST", "/api/admin/purge", {
    as,
    body: { olderThanDays: 90, confirm: "purge" },
  });
  assert.equal(third.status, 200, third.text);
});
