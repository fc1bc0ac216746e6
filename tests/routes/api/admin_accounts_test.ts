/**
 * Defect 12: people created and passwords set without SSO, over HTTP (the one set of people endpoints,
 * /api/admin/people). Rank is respected: nobody sets the password of someone of their own rank or higher
 * (admins, the top rank, manage each other), nobody hands out a role above their own; another workspace's
 * people do not exist. Password changes are audited with the address.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as R from "../../../routes/api/response_schemas.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import { expectBody, httpFixture, snapshot } from "../http.ts";

const login = (h: Awaited<ReturnType<typeof httpFixture>>, username: string, password: string) =>
  h.call("POST", "/api/auth/login", { body: { username, password }, origin: "http://localhost" });

dbTest("an admin creates a person who can then sign in; rank and permission are checked", async (db) => {
  const h = await httpFixture(db);
  const body = {
    username: "newbie",
    displayName: "New Bie",
    email: "new@example.com",
    password: "correct horse",
  };
  const made = expectBody(
    await h.call("POST", "/api/admin/people", { as: "admin", body }),
    201,
    R.CreatedPersonResponse,
  );
  assert.equal(made.link, null, "a password was given: no invitation link");
  assert.deepEqual([made.user.username, made.user.role, made.user.email], [
    "newbie",
    "member",
    "new@example.com",
  ]);
  assert.doesNotMatch(JSON.stringify(made), /argon|password/i);
  assert.equal((await login(h, "newbie", "correct horse")).status, 200);
  // Taken (case-insensitively), too short, a role at or above the creator's, no permission.
  assert.equal(
    (await h.call("POST", "/api/admin/people", { as: "admin", body: { ...body, username: "NEWBIE" } }))
      .status,
    409,
  );
  const short = await h.call("POST", "/api/admin/people", {
    as: "admin",
    body: { ...body, username: "x1", password: "short" },
  });
  assert.equal(short.status, 400);
  assert.equal(short.json.error.issues[0].path, "password");
  const before = await snapshot(db);
  for (const [as, role] of [["mod", "moderator"], ["mod", "admin"]] as const) {
    const r = await h.call("POST", "/api/admin/people", {
      as,
      body: { ...body, username: `r-${role}`, role },
    });
    assert.equal(r.status, 403, `${as} creating ${role}: ${r.text}`);
  }
  for (const as of ["alice", "eve"] as const) {
    assert.equal(
      (await h.call("POST", "/api/admin/people", { as, body: { ...body, username: "sneaky" } })).status,
      403,
    );
  }
  assert.equal(await snapshot(db), before);
  // A moderator creates members and guests.
  const guest = await h.call("POST", "/api/admin/people", {
    as: "mod",
    body: { ...body, username: "visitor1", role: "guest" },
  });
  assert.equal(guest.status, 201, guest.text);
});

dbTest("password reset: lower ranks only, the person's sessions end, the new password works", async (db) => {
  const h = await httpFixture(db);
  const { users } = h.f;
  const reset = (as: "admin" | "mod" | "alice" | "eve", id: number) =>
    h.call("POST", `/api/admin/people/${id}/password`, {
      as,
      body: { password: "brand new secret" },
      env: { remoteAddr: { hostname: "198.51.100.4" } },
    });
  const before = await snapshot(db);
  // Equal or higher rank, oneself, no permission, another workspace.
  assert.equal((await reset("mod", users.admin.id)).status, 403);
  assert.equal((await reset("mod", users.mod.id)).status, 403);
  assert.equal((await reset("admin", users.admin.id)).status, 403);
  assert.equal((await reset("alice", users.bob.id)).status, 403);
  assert.equal((await reset("eve", users.bob.id)).status, 403);
  assert.equal((await reset("admin", users.eve.id)).status, 404);
  assert.equal(await snapshot(db), before);
  // Allowed: a moderator resets a member; the member's sessions end.
  expectBody(await reset("mod", users.bob.id), 200, R.UserResponse);
  assert.equal((await h.call("GET", "/api/auth/me", { as: "bob" })).status, 401);
  assert.equal((await login(h, "bob", "pw")).status, 401);
  assert.equal((await login(h, "bob", "brand new secret")).status, 200);
  // An admin resets a moderator; both changes are audited with who, target and address.
  expectBody(await reset("admin", users.mod.id), 200, R.UserResponse);
  const log = await h.call("GET", "/api/admin/audit?action=password_set_by_admin", { as: "admin" });
  assert.deepEqual(
    log.json.entries.map((e: { actor: string; target: string; ip: string }) => [e.actor, e.target, e.ip]),
    [["admin", String(users.mod.id), "198.51.100.4"], ["mod", String(users.bob.id), "198.51.100.4"]],
  );
});

dbTest("an admin of another workspace cannot reach this one's people", async (db) => {
  const h = await httpFixture(db);
  // Promote eve to admin of her own workspace: she is still nobody here.
  await db.query("UPDATE users SET role = 'admin' WHERE id = $1", [h.f.users.eve.id]);
  const r = await h.call("POST", `/api/admin/people/${h.f.users.alice.id}/password`, {
    as: "eve",
    body: { password: "brand new secret" },
  });
  assert.equal(r.status, 404);
  for (const path of ["deactivate", "sign-out", "password-reset"]) {
    const x = await h.call("POST", `/api/admin/people/${h.f.users.alice.id}/${path}`, {
      as: "eve",
      body: {},
    });
    assert.equal(x.status, 404, path);
  }
  const made = await h.call("POST", "/api/admin/people", {
    as: "eve",
    body: { username: "alice", displayName: "Other Alice", password: "brand new secret" },
  });
  assert.equal(made.status, 201, made.text); // her workspace has no alice: a different person
  assert.equal((await usersRepo.byUsername(db, h.f.ws, "alice"))!.id, h.f.users.alice.id);
});

dbTest("changing my own password needs the current one and ends my other sessions", async (db) => {
  const h = await httpFixture(db);
  const other = expectBody(await login(h, "alice", "pw"), 200, R.Session).token;
  const change = (body: unknown) => h.call("PUT", "/api/chat/me/password", { as: "alice", body });
  const wrong = await change({ currentPassword: "nope", newPassword: "a better secret" });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.error.code, "wrong_password");
  assert.equal(wrong.json.error.issues[0].path, "currentPassword");
  const short = await change({ currentPassword: "pw", newPassword: "tiny" });
  assert.equal(short.json.error.issues[0].path, "newPassword");
  assert.equal((await h.call("GET", "/api/auth/me", { token: other })).status, 200);
  assert.deepEqual(
    expectBody(await change({ currentPassword: "pw", newPassword: "a better secret" }), 200, R.Ok),
    {
      ok: true,
    },
  );
  assert.equal((await h.call("GET", "/api/auth/me", { as: "alice" })).status, 200); // this session stays
  assert.equal((await h.call("GET", "/api/auth/me", { token: other })).status, 401); // the other one ended
  assert.equal((await login(h, "alice", "pw")).status, 401);
  assert.equal((await login(h, "alice", "a better secret")).status, 200);
  // An SSO account has no password to change.
  await db.query("UPDATE users SET password_hash = NULL WHERE id = $1", [h.f.users.bob.id]);
  const sso = await h.call("PUT", "/api/chat/me/password", {
    as: "bob",
    body: { currentPassword: "pw", newPassword: "a better secret" },
  });
  assert.equal(sso.json.error.code, "no_password");
});
