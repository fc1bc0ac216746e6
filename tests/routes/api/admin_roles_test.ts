/**
 * Custom roles over HTTP: create, rename, edit, assign, take back, delete (refused while held); the
 * permissions replace the rank's defaults wherever permissions are checked; rank and "no granting what
 * you do not hold" are enforced; members, moderators and another workspace are refused; all audited.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { expectBody, httpFixture, snapshot } from "../http.ts";
import * as S from "../../../routes/api/admin_roles_schemas.ts";
import { world } from "../world.ts";

const R = "/api/admin/roles";

dbTest(
  "custom roles: made, edited, held, used by permission checks, deleted once nobody holds them",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const as = "admin" as const;
    const created = await h.call("POST", R, {
      as,
      body: {
        name: "Channel keeper",
        rank: "member",
        permissions: ["chat.access_channels", "chat.manage_channels"],
      },
    });
    expectBody(created, 201, S.CustomRoleResponse);
    const id = created.json.role.id;
    assert.deepEqual(created.json.role.permissions, ["chat.access_channels", "chat.manage_channels"]);
    assert.equal(created.json.role.holders, 0);

    // Same name (any case) and built-in names are refused.
    assert.equal(
      (await h.call("POST", R, { as, body: { name: "channel KEEPER", rank: "member", permissions: [] } }))
        .status,
      409,
    );
    assert.equal(
      (await h.call("POST", R, { as, body: { name: "Admin", rank: "member", permissions: [] } })).status,
      400,
    );
    assert.equal(
      (await h.call("POST", R, { as, body: { name: "X", rank: "admin", permissions: [] } })).status,
      400,
    );
    assert.equal(
      (await h.call("POST", R, { as, body: { name: "X", rank: "member", permissions: ["chat.everything"] } }))
        .status,
      400,
    );

    // Before: bob (member) cannot archive a channel from the admin console.
    assert.equal(
      (await h.call("POST", `/api/admin/channels/${w.general}/archive`, { as: "bob" })).status,
      403,
    );
    const me0 = await h.call("GET", "/api/auth/me", { as: "bob" });
    assert.ok(me0.json.user.permissions.includes("chat.create_direct"));

    const given = await h.call("PUT", `${R}/${id}/holders/${w.users.bob}`, { as });
    expectBody(given, 200, S.CustomRoleResponse);
    assert.equal(given.json.role.holders, 1);
    // The role's permissions replace the member defaults, in every check.
    const me = await h.call("GET", "/api/auth/me", { as: "bob" });
    assert.deepEqual(me.json.user.permissions.sort(), ["chat.access_channels", "chat.manage_channels"]);
    assert.equal(
      (await h.call("POST", `/api/admin/channels/${w.general}/archive`, { as: "bob" })).status,
      200,
    );
    assert.equal(
      (await h.call("POST", "/api/chat/direct", { as: "bob", body: { userId: w.users.carol } }))
        .status,
      403,
    );

    // Editing the role changes what its holders may do at once.
    const edited = await h.call("PATCH", `${R}/${id}`, {
      as,
      body: { name: "Keeper", permissions: ["chat.access_channels", "chat.create_direct"] },
    });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.json.role.name, "Keeper");
    assert.equal(
      (await h.call("POST", `/api/admin/channels/${w.general}/unarchive`, { as: "bob" })).status,
      403,
    );
    assert.equal(
      (await h.call("POST", "/api/chat/direct", { as: "bob", body: { userId: w.users.carol } }))
        .status,
      200,
    );

    // The overview says who holds which.
    const ov = await h.call("GET", R, { as });
    expectBody(ov, 200, S.RolesOverview);
    const keeper = ov.json.custom.find((r: { id: number }) => r.id === id);
    assert.deepEqual(keeper.people.map((p: { username: string }) => p.username), ["bob"]);
    assert.equal(ov.json.roles.find((r: { id: string }) => r.id === "member").people, 2, "alice and carol");

    // Delete is refused while held, and changes nothing.
    const before = await snapshot(db);
    const held = await h.call("DELETE", `${R}/${id}`, { as });
    assert.equal(held.status, 409);
    assert.equal(held.json.error.code, "role_in_use");
    assert.equal(await snapshot(db), before);

    // A built-in role replaces the custom one; then the role can go.
    const back = await h.call("PUT", `/api/admin/people/${w.users.bob}/role`, {
      as,
      body: { role: "member" },
    });
    assert.equal(back.status, 200, back.text);
    const meAfter = await h.call("GET", "/api/auth/me", { as: "bob" });
    assert.ok(meAfter.json.user.permissions.includes("chat.send_files"));
    assert.equal((await h.call("DELETE", `${R}/${id}`, { as })).status, 200);
    assert.equal((await h.call("DELETE", `${R}/${id}`, { as })).status, 404);

    const log = await db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action LIKE 'role_%' ORDER BY id",
    );
    assert.deepEqual(log.map((r) => r.action), [
      "role_created",
      "role_assigned",
      "role_changed",
      "role_changed",
      "role_deleted",
    ]);
  },
);

dbTest("taking a custom role back leaves the built-in role of its rank", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const id = (await h.call("POST", R, {
    as: "admin",
    body: { name: "Helpers", rank: "moderator", permissions: ["chat.public_queue"] },
  })).json.role.id;
  assert.equal((await h.call("PUT", `${R}/${id}/holders/${w.users.carol}`, { as: "admin" })).status, 200);
  const u = await db.query<{ role: string }>("SELECT role FROM users WHERE id = $1", [w.users.carol]);
  assert.equal(u[0].role, "moderator");
  const off = await h.call("DELETE", `${R}/${id}/holders/${w.users.carol}`, { as: "admin" });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.json.role.holders, 0);
  const me = await h.call("GET", "/api/auth/me", { as: "carol" });
  assert.ok(me.json.user.permissions.includes("chat.moderate_channels"));
  assert.equal((await h.call("DELETE", `${R}/${id}/holders/${w.users.carol}`, { as: "admin" })).status, 404);
});

dbTest(
  "rank and grants: a moderator manages only roles below them with permissions they hold",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const mine = await h.call("POST", R, {
      as: "mod",
      body: { name: "Greeter", rank: "member", permissions: ["chat.access_channels", "chat.public_queue"] },
    });
    assert.equal(mine.status, 201, mine.text);
    const top = await h.call("POST", R, {
      as: "admin",
      body: { name: "Deputy", rank: "moderator", permissions: ["chat.manage_users"] },
    });
    const broad = await h.call("POST", R, {
      as: "admin",
      body: { name: "Watcher", rank: "member", permissions: ["chat.monitor_all"] },
    });
    const before = await snapshot(db);
    for (
      const [m, path, body] of [
        ["POST", R, { name: "Peer", rank: "moderator", permissions: [] }],
        ["POST", R, { name: "Spy", rank: "member", permissions: ["chat.monitor_all"] }],
        ["PATCH", `${R}/${mine.json.role.id}`, { permissions: ["chat.admin_dashboard"] }],
        ["PATCH", `${R}/${mine.json.role.id}`, { rank: "moderator" }],
        ["PATCH", `${R}/${top.json.role.id}`, { name: "Mine now" }],
        ["DELETE", `${R}/${top.json.role.id}`, undefined],
        ["PUT", `${R}/${top.json.role.id}/holders/${w.users.alice}`, undefined],
        ["PUT", `${R}/${broad.json.role.id}/holders/${w.users.alice}`, undefined],
        ["PUT", `${R}/${mine.json.role.id}/holders/${h.f.users.admin.id}`, undefined],
        ["PUT", `${R}/${mine.json.role.id}/holders/${h.f.users.mod.id}`, undefined],
      ] as const
    ) {
      const r = await h.call(m, path, { as: "mod", body });
      assert.equal(r.status, 403, `${m} ${path} ${JSON.stringify(body)}: ${r.text}`);
    }
    assert.equal(await snapshot(db), before);
    assert.equal(
      (await h.call("PUT", `${R}/${mine.json.role.id}/holders/${w.users.alice}`, { as: "mod" })).status,
      200,
    );

    // A holder of a moderator-ranked custom role with chat.manage_users but few permissions cannot hand
    // out the member role (it would grant permissions they do not hold), nor act on moderators.
    assert.equal(
      (await h.call("PUT", `${R}/${top.json.role.id}/holders/${w.users.bob}`, { as: "admin" })).status,
      200,
    );
    const r1 = await h.call("PUT", `/api/admin/people/${w.users.carol}/role`, {
      as: "bob",
      body: { role: "guest" },
    });
    assert.equal(r1.status, 403, r1.text);
    assert.match(r1.json.error.message, /permissions you do not hold/);
    assert.equal(
      (await h.call("POST", `/api/admin/people/${h.f.users.mod.id}/sign-out`, { as: "bob" })).status,
      403,
    );
    assert.equal(
      (await h.call("POST", `/api/admin/people/${w.users.carol}/sign-out`, { as: "bob" })).status,
      200,
    );
  },
);

dbTest("members and another workspace are refused every roles endpoint and change nothing", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const id =
    (await h.call("POST", R, { as: "admin", body: { name: "Ours", rank: "member", permissions: [] } })).json
      .role.id;
  // Eve administers the other workspace: our role and our people are not hers to see.
  await db.query("UPDATE users SET role = 'admin' WHERE id = $1", [h.f.users.eve.id]);
  const before = await snapshot(db);
  const calls = [
    ["GET", R, undefined],
    ["POST", R, { name: "New", rank: "guest", permissions: [] }],
    ["PATCH", `${R}/${id}`, { name: "Theirs" }],
    ["DELETE", `${R}/${id}`, undefined],
    ["PUT", `${R}/${id}/holders/${w.users.bob}`, undefined],
    ["DELETE", `${R}/${id}/holders/${w.users.bob}`, undefined],
  ] as const;
  for (const [m, path, body] of calls) {
    const r = await h.call(m, path, { as: "alice", body });
    assert.equal(r.status, 403, `alice ${m} ${path}: ${r.text}`);
  }
  for (const [m, path, body] of calls.slice(2)) {
    const r = await h.call(m, path, { as: "eve", body });
    assert.equal(r.status, 404, `eve ${m} ${path}: ${r.text}`);
  }
  const list = await h.call("GET", R, { as: "eve" });
  assert.deepEqual(list.json.custom, []);
  assert.equal(await snapshot(db), before);
});
