/**
 * Retention (issue 13): messages past the workspace's period are deleted exactly, through the delete path
 * (text, reactions, files, search, the event log), except in channels on legal hold; a dry run changes
 * nothing; every run is logged and audited; the scheduled job does the same; lower ranks and other
 * workspaces are refused. Runs on PGlite and Postgres.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { expectBody, type Http, httpFixture, ORIGIN, snapshot } from "../../routes/http.ts";
import { world } from "../../routes/world.ts";
import { send, uploadPdf } from "./old_data.ts";
import * as A from "../../../routes/api/admin_response_schemas.ts";
import { retentionTick } from "../../../domain/admin/retention_worker.ts";

const age = (h: Http, id: number, days: number) =>
  h.f.deps.db.query("UPDATE messages SET created_at = now() - make_interval(days => $2) WHERE id = $1", [
    id,
    days,
  ]);

dbTest("retention deletes exactly what is past the period, except channels on legal hold", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const as = "admin" as const;
  const fileId = await uploadPdf(h, w.general);
  const old = await send(h, w.general, "ancient zebra plans", [fileId]);
  const edge = await send(h, w.general, "eightynine days zebra");
  const fresh = await send(h, w.general, "fresh zebra news");
  const held = await send(h, w.secret, "held zebra evidence");
  const dmOld = await send(h, w.dm, "old zebra dm");
  await h.call("POST", `/api/chat/messages/${old}/reactions`, { as: "bob", body: { emoji: "👍" } });
  await age(h, old, 120);
  await age(h, edge, 89);
  await age(h, held, 400);
  await age(h, dmOld, 91);
  await age(h, w.msg, 95); // the world's "hello"

  // Off by default: a run is refused and changes nothing.
  let before = await snapshot(db);
  const off = await h.call("POST", "/api/admin/retention/run", { as, body: {} });
  assert.equal(off.status, 400, off.text);
  assert.equal(await snapshot(db), before);

  // Lower rank and other workspaces are refused, and change nothing.
  const eve = h.f.users.eve.id;
  await db.query("UPDATE users SET role = 'admin' WHERE id = $1", [eve]);
  before = await snapshot(db);
  for (const who of ["mod", "alice"] as const) {
    assert.equal((await h.call("POST", "/api/admin/retention/run", { as: who, body: {} })).status, 403);
    assert.equal((await h.call("GET", "/api/admin/retention", { as: who })).status, 403);
    const hold = await h.call("PUT", `/api/admin/channels/${w.secret}/legal-hold`, {
      as: who,
      body: { on: true },
    });
    assert.equal(hold.status, 403, who);
  }
  const foreign = await h.call("PUT", `/api/admin/channels/${w.secret}/legal-hold`, {
    as: "eve",
    body: { on: true },
  });
  assert.equal(foreign.status, 404, "another workspace's admin does not find the channel");
  assert.equal(await snapshot(db), before);

  // Put #secret on hold, set 90 days.
  const env = { remoteAddr: { hostname: "192.0.2.9" } };
  const hold = await h.call("PUT", `/api/admin/channels/${w.secret}/legal-hold`, {
    as,
    env,
    body: { on: true, reason: "case 42" },
  });
  assert.deepEqual(expectBody(hold, 200, A.LegalHoldResponse), { channelId: w.secret, legalHold: true });
  assert.equal(
    (await h.call("PATCH", "/api/admin/settings", { as, body: { "messages.retention_days": 90 } })).status,
    200,
  );

  // A dry run counts and deletes nothing.
  before = await snapshot(db);
  const dry = expectBody(
    await h.call("POST", "/api/admin/retention/run", { as, env, body: { dryRun: true } }),
    200,
    A.RetentionRunResponse,
  ).run;
  assert.deepEqual([dry.messages, dry.files, dry.heldChannels, dry.dryRun], [3, 1, 1, true]);
  const rows = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM messages WHERE deleted_at IS NOT NULL",
  );
  assert.equal(rows[0].n, 0);

  const mark = h.f.published.length;
  const run = expectBody(
    await h.call("POST", "/api/admin/retention/run", { as, env, body: {} }),
    200,
    A.RetentionRunResponse,
  ).run;
  assert.deepEqual([run.messages, run.files, run.days, run.trigger], [3, 1, 90, "admin"]);
  const gone = await db.query<{ id: number; body: string }>(
    "SELECT id, body FROM messages WHERE deleted_at IS NOT NULL ORDER BY id",
  );
  assert.deepEqual(gone.map((m) => m.id), [w.msg, old, dmOld].sort((a, b) => a - b));
  assert.ok(gone.every((m) => m.body === ""));
  // Kept: the 89-day-old one, the fresh one, and the 400-day-old one on legal hold.
  for (const id of [edge, fresh, held]) {
    const m = await h.call("GET", `/api/chat/messages/${id}`, { as: "alice" });
    assert.equal(m.status, 200, m.text);
    assert.equal(m.json.message.deletedAt, null, `${id} kept`);
  }
  // Deleted on every read path: the message, its reactions, its file, search, history, the event log.
  const m = await h.call("GET", `/api/chat/messages/${old}`, { as: "alice" });
  assert.equal(m.json.message.body, "");
  assert.deepEqual(m.json.message.reactions ?? [], []);
  assert.equal((await db.query("SELECT 1 FROM reactions WHERE message_id = $1", [old])).length, 0);
  const file = await h.app.request(`${ORIGIN}/api/chat/files/${fileId}`, {
    headers: { authorization: `Bearer ${h.tokens.alice}` },
  });
  assert.equal(file.status, 404);
  await file.body?.cancel();
  const found = await h.call("GET", "/api/chat/search?q=zebra", { as: "alice" });
  assert.equal(found.status, 200, found.text);
  assert.deepEqual(
    found.json.messages.map((x: { id: number }) => x.id).sort((a: number, b: number) => a - b),
    [edge, fresh, held].sort((a, b) => a - b),
  );
  assert.deepEqual(found.json.files, []);
  const hist = await h.call("GET", `/api/chat/channels/${w.general}/messages`, { as: "alice" });
  assert.doesNotMatch(hist.text, /ancient|hello/);
  const deleted = h.f.published.slice(mark).filter((e) => e.event.type === "message_deleted");
  assert.deepEqual(
    deleted.map((e) => (e.event as { messageId: number }).messageId).sort((a, b) => a - b),
    [w.msg, old, dmOld].sort((a, b) => a - b),
  );
  // Logged with counts and audited with the address; the overview lists runs and held channels.
  const view = expectBody(await h.call("GET", "/api/admin/retention", { as }), 200, A.RetentionResponse);
  assert.deepEqual(view.heldChannels, [{ id: w.secret, name: "secret" }]);
  assert.deepEqual(view.runs.map((r) => [r.dryRun, r.messages]), [[false, 3], [true, 3]]);
  const log = await h.call("GET", "/api/admin/audit?action=retention_run", { as });
  assert.equal(log.json.entries.length, 2);
  assert.equal(log.json.entries[0].detail.messages, 3);
  assert.equal(log.json.entries[0].ip, "192.0.2.9");
  const holdLog = await h.call("GET", "/api/admin/audit?action=legal_hold_on", { as });
  assert.equal(holdLog.json.entries[0].detail.reason, "case 42");

  // The scheduled job: lifting the hold lets the next pass take the held message, logged as "schedule".
  await h.call("PUT", `/api/admin/channels/${w.secret}/legal-hold`, { as, body: { on: false } });
  assert.equal(await retentionTick(h.f.deps, 3_600_000), 1);
  const again = await h.call("GET", `/api/chat/messages/${held}`, { as: "alice" });
  assert.notEqual(again.json.message.deletedAt, null);
  // A second tick within the interval does nothing; other workspaces (retention off) are untouched.
  assert.equal(await retentionTick(h.f.deps, 3_600_000), 0);
  const sched = await h.call("GET", "/api/admin/audit?action=retention_run", { as });
  assert.equal(sched.json.entries[0].actor, null);
  assert.equal(sched.json.entries[0].detail.messages, 1);
});
