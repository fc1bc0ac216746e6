/** /api/chat users, presence and status, and /api/admin, over HTTP. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as R from "../../../routes/api/response_schemas.ts";
import { expectBody, httpFixture } from "../http.ts";

dbTest("search people, read a profile, see presence, set my status", async (db) => {
  const h = await httpFixture(db);
  const found = expectBody(
    await h.call("GET", "/api/chat/users?q=bo", { as: "alice" }),
    200,
    R.UsersResponse,
  );
  assert.deepEqual(found.users.map((u) => u.username), ["bob"]);
  const bob = expectBody(
    await h.call("GET", `/api/chat/users/${h.f.users.bob.id}`, { as: "alice" }),
    200,
    R.UserResponse,
  );
  assert.equal(bob.user.displayName, "Bob");
  const raw = await h.call("GET", `/api/chat/users/${h.f.users.bob.id}`, { as: "alice" });
  assert.doesNotMatch(raw.text, /password|argon2/i);
  assert.equal((await h.call("GET", `/api/chat/users/${h.f.users.eve.id}`, { as: "alice" })).status, 404);
  const presence = expectBody(
    await h.call("GET", "/api/chat/presence", { as: "alice" }),
    200,
    R.PresenceResponse,
  );
  assert.equal(presence.presence.length, 5);
  assert.ok(presence.presence.every((p) => p.status === "offline" && p.connections === 0));
  const me = await h.call("PUT", "/api/chat/me/status", {
    as: "alice",
    body: { status: "busy", statusText: "Focus time" },
  });
  assert.deepEqual(
    [expectBody(me, 200, R.UserResponse).user.status, me.json.user.statusText],
    ["busy", "Focus time"],
  );
  assert.equal(
    (await h.call("PUT", "/api/chat/me/status", { as: "alice", body: { status: "gone" } })).status,
    400,
  );
});

dbTest("admin: deactivate ends sessions; settings need the admin dashboard permission", async (db) => {
  const h = await httpFixture(db);
  const bob = h.f.users.bob.id;
  assert.equal(
    (await h.call("POST", `/api/admin/people/${bob}/deactivate`, { as: "alice", body: {} })).status,
    403,
  );
  const off = expectBody(
    await h.call("POST", `/api/admin/people/${bob}/deactivate`, { as: "admin", body: {} }),
    200,
    R.UserResponse,
  );
  assert.equal(off.user.deactivated, true);
  assert.equal((await h.call("GET", "/api/auth/me", { as: "bob" })).status, 401);
  const on = expectBody(
    await h.call("POST", `/api/admin/people/${bob}/reactivate`, { as: "admin", body: {} }),
    200,
    R.UserResponse,
  );
  assert.equal(on.user.deactivated, false);
  expectBody(await h.call("GET", "/api/admin/connections", { as: "admin" }), 200, R.ConnectionsResponse);
  assert.equal((await h.call("GET", "/api/admin/connections", { as: "alice" })).status, 403);
  const set = await h.call("PATCH", "/api/admin/settings", {
    as: "admin",
    body: { "messages.edit_window_seconds": 600 },
  });
  assert.equal(expectBody(set, 200, R.SettingsResponse).settings["messages.edit_window_seconds"], 600);
  assert.equal(
    (await h.call("PATCH", "/api/admin/settings", { as: "mod", body: { "messages.edit_window_seconds": 1 } }))
      .status,
    403,
  );
  assert.equal(
    (await h.call("PATCH", "/api/admin/settings", { as: "admin", body: { "no.such": 1 } })).status,
    400,
  );
  // A member reads the public settings, not the admin view.
  assert.equal((await h.call("GET", "/api/admin/settings", { as: "alice" })).status, 403);
  const read = expectBody(
    await h.call("GET", "/api/chat/settings", { as: "alice" }),
    200,
    R.PublicSettingsResponse,
  );
  assert.equal(read.settings["messages.edit_window_seconds"], 600);
  const full = expectBody(
    await h.call("GET", "/api/admin/settings", { as: "admin" }),
    200,
    R.SettingsAdminResponse,
  );
  assert.equal(full.settings["messages.edit_window_seconds"], 600);
  assert.ok(full.definitions.every((d) => d.editable));
});
