/** Built-in sign-in, the login throttle, sessions and logout. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import { refused } from "../helpers/assert.ts";
import * as auth from "../../domain/auth.ts";
import * as usersRepo from "../../db/repos/users.ts";
import type { AppError } from "../../domain/errors.ts";
import type { Db } from "../../db/client.ts";

const ctx = { ip: "10.0.0.1", userAgent: "test" };

async function clocked(db: Db) {
  let clock = Date.now();
  const f = await fixture(db, { now: () => new Date(clock) });
  return { f, advance: (ms: number) => (clock += ms), set: (t: number) => (clock = t) };
}

dbTest("login returns a working token; wrong passwords and unknown users are 401", async (db) => {
  const f = await fixture(db);
  const s = await auth.login(f.deps, { username: "Alice", password: "pw" }, ctx);
  assert.equal(s.user.username, "alice");
  assert.ok(s.user.permissions.includes("chat.access_channels"));
  assert.ok(s.token.length >= 40);
  const actor = await auth.authenticate(f.deps, s.token);
  assert.equal(actor?.userId, f.users.alice.id);
  await refused(auth.login(f.deps, { username: "alice", password: "nope" }, ctx), 401, "bad_credentials");
  await refused(auth.login(f.deps, { username: "nobody", password: "pw" }, ctx), 401, "bad_credentials");
  await refused(auth.login(f.deps, { username: "alice" }, ctx), 400, "invalid_input");
  await refused(auth.login(f.deps, { username: "alice", password: "pw", admin: true }, ctx), 400);
  // The token is stored hashed, never as is.
  const rows = await db.query<{ token_hash: string }>("SELECT token_hash FROM sessions");
  assert.ok(rows.every((r) => r.token_hash !== s.token));
  assert.equal(await auth.authenticate(f.deps, s.token + "x"), null);
  assert.equal(await auth.authenticate(f.deps, ""), null);
  assert.equal(await auth.authenticate(f.deps, "x".repeat(500)), null);
});

dbTest("users sign in to their own workspace only", async (db) => {
  const f = await fixture(db);
  await refused(auth.login(f.deps, { username: "eve", password: "pw" }, ctx), 401);
  const s = await auth.login(f.deps, { username: "eve", password: "pw", workspace: "other" }, ctx);
  assert.equal(s.user.id, f.users.eve.id);
  await refused(auth.login(f.deps, { username: "eve", password: "pw", workspace: "nope" }, ctx), 400);
});

dbTest("five failures in 30 minutes lock the account with a retry time", async (db) => {
  const { f, advance } = await clocked(db);
  const start = Date.now();
  for (let i = 0; i < 4; i++) {
    await refused(auth.login(f.deps, { username: "bob", password: "bad" }, ctx), 401);
  }
  await assert.rejects(auth.login(f.deps, { username: "bob", password: "bad" }, ctx), (e: AppError) => {
    assert.equal(e.status, 429);
    assert.equal(e.code, "locked");
    return true;
  });
  advance(60_000);
  // Even the right password is refused while locked, and the answer says when to come back.
  await assert.rejects(auth.login(f.deps, { username: "bob", password: "pw" }, ctx), (e: AppError) => {
    assert.equal(e.status, 429);
    const retry = e.extra.retryAfter as number;
    assert.ok(retry > 28 * 60 && retry <= 30 * 60, `retryAfter ${retry}`);
    const until = Date.parse(e.extra.lockedUntil as string);
    assert.ok(Math.abs(until - (start + 30 * 60_000)) < 60_000);
    assert.match(e.message, /Try again after/);
    return true;
  });
  // Other accounts are not affected.
  await auth.login(f.deps, { username: "carol", password: "pw" }, { ...ctx, ip: "10.0.0.2" });
  advance(30 * 60_000);
  const s = await auth.login(f.deps, { username: "bob", password: "pw" }, ctx);
  assert.equal(s.user.username, "bob");
  // Success cleared the count: four more failures do not lock.
  for (let i = 0; i < 4; i++) {
    await refused(auth.login(f.deps, { username: "bob", password: "bad" }, ctx), 401);
  }
  await auth.login(f.deps, { username: "bob", password: "pw" }, ctx);
});

dbTest("failed sign-ins are audited", async (db) => {
  const f = await fixture(db);
  await refused(auth.login(f.deps, { username: "alice", password: "bad" }, ctx), 401);
  await auth.login(f.deps, { username: "alice", password: "pw" }, ctx);
  const rows = await db.query<{ action: string; ip: string }>("SELECT action, ip FROM audit_log ORDER BY id");
  assert.deepEqual(rows.map((r) => [r.action, r.ip]), [["login_failed", ctx.ip], ["login", ctx.ip]]);
});

dbTest("logout ends exactly that session, for good", async (db) => {
  const f = await fixture(db);
  const s1 = await auth.login(f.deps, { username: "alice", password: "pw" }, ctx);
  const s2 = await auth.login(f.deps, { username: "alice", password: "pw" }, ctx);
  const a1 = (await auth.authenticate(f.deps, s1.token))!;
  assert.equal(await auth.sessionAlive(f.deps, a1), true);
  await auth.logout(f.deps, a1);
  assert.equal(await auth.authenticate(f.deps, s1.token), null);
  assert.equal(await auth.sessionAlive(f.deps, a1), false);
  assert.notEqual(await auth.authenticate(f.deps, s2.token), null);
  const live = await auth.liveSessions(f.deps, [
    a1.sessionHash!,
    (await auth.authenticate(f.deps, s2.token))!.sessionHash!,
  ]);
  assert.equal(live.size, 1);
});

dbTest("expired sessions and deactivated users do not authenticate", async (db) => {
  const { f, set } = await clocked(db);
  set(Date.now() - 31 * 86400_000); // sessions last 30 days from "now"
  const old = await auth.login(f.deps, { username: "alice", password: "pw" }, ctx);
  set(Date.now());
  assert.equal(await auth.authenticate(f.deps, old.token), null);
  const s = await auth.login(f.deps, { username: "bob", password: "pw" }, ctx);
  await usersRepo.setDeactivated(db, f.users.bob.id, true);
  assert.equal(await auth.authenticate(f.deps, s.token), null);
  await refused(auth.login(f.deps, { username: "bob", password: "pw" }, ctx), 401);
});
