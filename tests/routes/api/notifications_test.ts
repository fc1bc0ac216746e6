/** /api/notifications over HTTP: my preferences and levels, and every refusal changes nothing. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { expectBody, httpFixture, snapshot } from "../http.ts";
import * as channels from "../../../domain/channels.ts";
import * as R from "../../../routes/api/response_schemas.ts";

dbTest(
  "preferences and levels: set, read back; refusals for strangers, other workspaces, non-admins",
  async (db) => {
    const h = await httpFixture(db);
    const ch = await channels.create(h.f.deps, h.f.actor("mod"), {
      name: "general",
      memberIds: [h.f.users.alice.id],
    });
    const priv = await channels.create(h.f.deps, h.f.actor("mod"), {
      name: "secret",
      private: true,
      memberIds: [],
    })
      .catch(() => null);
    let r = await h.call("PATCH", "/api/notifications", {
      as: "alice",
      body: { email: { delayMinutes: 15 }, keywords: ["Deploy"], timeZone: "Europe/Berlin" },
    });
    const mine = expectBody(r, 200, R.NotificationsResponse);
    assert.equal(mine.prefs.email.delayMinutes, 15);
    assert.equal(mine.prefs.email.enabled, true);
    assert.deepEqual(mine.prefs.keywords, ["deploy"]);
    r = await h.call("PUT", `/api/notifications/levels/${ch.id}`, { as: "alice", body: { level: "mute" } });
    expectBody(r, 200, R.NotificationLevelResponse);
    r = await h.call("GET", "/api/notifications", { as: "alice" });
    assert.deepEqual(expectBody(r, 200, R.NotificationsResponse).levels, [{
      channelId: ch.id,
      level: "mute",
    }]);

    const before = await snapshot(db);
    const refusals: [string, string, Parameters<typeof h.call>[2], number][] = [
      ["GET", "/api/notifications", {}, 401],
      ["PATCH", "/api/notifications", { as: "alice", body: { email: { delayMinutes: 0 } } }, 400],
      ["PATCH", "/api/notifications", { as: "alice", body: { timeZone: "Mars/Olympus" } }, 400],
      ["PATCH", "/api/notifications", { as: "alice", body: { unknown: true } }, 400],
      ["PUT", `/api/notifications/levels/${ch.id}`, { as: "bob", body: { level: "all" } }, 404], // not a member
      ["PUT", `/api/notifications/levels/${ch.id}`, { as: "eve", body: { level: "all" } }, 404], // other workspace
      ["PUT", `/api/notifications/levels/${ch.id}`, { as: "alice", body: { level: "loud" } }, 400],
      ["PATCH", "/api/notifications/workspace", { as: "alice", body: { previews: false } }, 403],
      ["PATCH", "/api/notifications/workspace", { as: "mod", body: { previews: false } }, 403],
      ["DELETE", "/api/notifications/push/devices/1", { as: "alice" }, 404],
      ["POST", "/api/notifications/pause", { as: "alice", body: {} }, 400],
    ];
    if (priv) {
      refusals.push([
        "PUT",
        `/api/notifications/levels/${priv.id}`,
        { as: "bob", body: { level: "all" } },
        404,
      ]);
    }
    for (const [method, path, o, status] of refusals) {
      const res = await h.call(method, path, o);
      assert.equal(res.status, status, `${method} ${path} as ${o?.as ?? "nobody"}: ${res.text}`);
    }
    assert.equal(await snapshot(db), before, "refused requests changed nothing");
    r = await h.call("PATCH", "/api/notifications/workspace", { as: "admin", body: { previews: false } });
    assert.equal(expectBody(r, 200, R.NotificationWorkspaceResponse).previews, false);
    r = await h.call("POST", "/api/notifications/pause", { as: "alice", body: { minutes: 60 } });
    assert.equal(expectBody(r, 200, R.NotificationsResponse).dnd.active, true);
    r = await h.call("GET", "/api/notifications/dnd", { as: "bob" });
    assert.deepEqual(expectBody(r, 200, R.DndResponse).userIds, [h.f.users.alice.id]);
    r = await h.call("GET", "/api/notifications/dnd", { as: "eve" });
    assert.deepEqual(expectBody(r, 200, R.DndResponse).userIds, [], "other workspaces see nobody");
  },
);
