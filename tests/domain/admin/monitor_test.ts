/**
 * Monitor and export: holders of chat.monitor_all read any conversation (private channels and DMs too) with
 * filters, every view and export is audited, exports stream complete and in order across pages as CSV and
 * JSON; lower ranks are refused and another workspace's conversations do not exist.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { expectBody, httpFixture, snapshot } from "../../routes/http.ts";
import { world } from "../../routes/world.ts";
import * as A from "../../../routes/api/admin_response_schemas.ts";

dbTest(
  "monitor reads any conversation with filters; views and exports are audited and streamed",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const as = "admin" as const;
    const env = { remoteAddr: { hostname: "198.51.100.23" } };
    await h.call("POST", `/api/chat/channels/${w.dm}/messages`, {
      as: "bob",
      body: { clientId: "dm1", body: 'a private word, with "quotes", commas\nand a newline' },
    });

    // Lower ranks are refused and nothing is recorded; another workspace's admin finds nothing here.
    const before = await snapshot(db);
    for (const who of ["mod", "alice"] as const) {
      assert.equal(
        (await h.call("GET", `/api/admin/monitor?channelId=${w.secret}`, { as: who })).status,
        403,
      );
      assert.equal((await h.call("GET", "/api/admin/monitor/export", { as: who })).status, 403);
    }
    assert.equal(await snapshot(db), before);
    await db.query("UPDATE users SET role = 'admin' WHERE id = $1", [h.f.users.eve.id]);
    assert.equal(
      (await h.call("GET", `/api/admin/monitor?channelId=${w.secret}`, { as: "eve" })).status,
      404,
    );
    const theirs = await h.call("GET", "/api/admin/monitor", { as: "eve" });
    assert.deepEqual(theirs.json.messages, []);

    // A private channel, a DM, a person, a text search.
    const secret = expectBody(
      await h.call("GET", `/api/admin/monitor?channelId=${w.secret}`, { as, env }),
      200,
      A.MonitorResponse,
    );
    assert.deepEqual(secret.messages.map((m) => [m.channel, m.body, m.sender]), [[
      "secret",
      "psst",
      "Alice",
    ]]);
    const dm = await h.call("GET", `/api/admin/monitor?userId=${w.users.bob}`, { as });
    assert.deepEqual(dm.json.messages.map((m: { kind: string }) => m.kind), ["direct_message"]);
    const text = await h.call("GET", "/api/admin/monitor?q=PSST", { as });
    assert.equal(text.json.total, 1);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    assert.equal((await h.call("GET", `/api/admin/monitor?from=${tomorrow}`, { as })).json.total, 0);
    assert.equal((await h.call("GET", "/api/admin/monitor?from=yesterday", { as })).status, 400);
    const log = await h.call("GET", "/api/admin/audit?action=monitor_read", { as });
    assert.ok(log.json.total >= 4);
    const seen = log.json.entries.at(-1);
    assert.deepEqual([seen.actor, seen.target, seen.ip], ["admin", String(w.secret), "198.51.100.23"]);
    // Polling for newer messages belongs to the view: not audited again.
    const n = log.json.total;
    await h.call("GET", `/api/admin/monitor?channelId=${w.secret}&after=${w.secretMsg}`, { as });
    assert.equal((await h.call("GET", "/api/admin/audit?action=monitor_read", { as })).json.total, n);

    // 2,500 messages in #general: the export crosses page boundaries and keeps order.
    await db.query(
      `INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, body, seq, created_at)
     SELECT $1, $2, $3, 'bulk' || g, 'bulk message ' || g, 1000 + g, now() - make_interval(secs => 5000 - g)
     FROM generate_series(1, 2500) g`,
      [h.f.ws, w.general, h.f.users.bob.id],
    );
    const csv = await h.call("GET", `/api/admin/monitor/export?channelId=${w.general}`, { as, env });
    assert.equal(csv.status, 200, csv.text);
    assert.equal(csv.headers.get("x-total-count"), "2501");
    assert.match(csv.headers.get("content-disposition")!, /attachment; filename="parley-messages-.*\.csv"/);
    const lines = csv.text.trimEnd().split("\r\n");
    assert.equal(lines[0], "id,created_at,channel,kind,sender_id,sender,reply_to,body");
    assert.equal(lines.length, 2502);
    const bodies = lines.slice(1).map((l) => l.split(",").at(-1));
    assert.equal(bodies.filter((b) => b?.startsWith("bulk message")).length, 2500);
    const json = await h.call("GET", "/api/admin/monitor/export?format=json", { as });
    const rows = JSON.parse(json.text) as { id: number; body: string }[];
    assert.equal(rows.length, 2503); // hello, psst, the DM and the bulk
    assert.ok(rows.every((r, i) => i === 0 || r.id > rows[i - 1].id), "oldest first, each once");
    assert.ok(rows.some((r) => r.body.includes('"quotes", commas\nand a newline')));
    const dmCsv = await h.call("GET", `/api/admin/monitor/export?channelId=${w.dm}`, { as });
    assert.match(dmCsv.text, /"a private word, with ""quotes"", commas\nand a newline"\r\n$/);
    const empty = await h.call("GET", `/api/admin/monitor/export?format=json&from=${tomorrow}`, { as });
    assert.deepEqual(JSON.parse(empty.text), []);
    const exports = await h.call("GET", "/api/admin/audit?action=monitor_exported", { as });
    assert.equal(exports.json.total, 4);
    assert.equal(exports.json.entries.at(-1).detail.total, 2501);
  },
);
