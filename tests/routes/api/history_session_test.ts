/**
 * The history page reads its session in the page's own statement (`messagesRepo.pageWithSession`, one round
 * trip): the same refusals as every route (a session ended a moment before, expired, of a deactivated
 * account, an embed session from another origin, no session with bad input), and nothing of the channel read
 * for a session that may not see it.
 */
import assert from "node:assert/strict";
import type { z } from "zod";
import { dbTest } from "../../helpers/db.ts";
import * as R from "../../../routes/api/response_schemas.ts";
import * as messagesRepo from "../../../db/repos/messages.ts";
import * as sessionsRepo from "../../../db/repos/sessions.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import { sha256 } from "../../../domain/auth.ts";
import type { Db } from "../../../db/client.ts";
import { expectBody, httpFixture } from "../http.ts";
import { world } from "../world.ts";

const ch = "/api/chat/channels";
const HOST = "http://localhost:4100";

/** Every statement `db` runs while `fn` runs (the statements' first words). */
async function statements(db: Db, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const query = db.query;
  db.query = ((text: string, params?: unknown[]) => {
    seen.push(text.replace(/\s+/g, " ").slice(0, 60));
    return query.call(db, text, params);
  }) as Db["query"];
  try {
    await fn();
  } finally {
    db.query = query;
  }
  return seen;
}

async function newSession(db: Db, userId: number, workspaceId: number, embedOrigin: string | null = null) {
  const token = `t-${crypto.randomUUID()}`;
  const hash = await sha256(token);
  await sessionsRepo.insert(db, {
    tokenHash: hash,
    userId,
    workspaceId,
    expiresAt: new Date(Date.now() + 3600_000),
    userAgent: "test",
    embedOrigin,
  });
  return { token, hash };
}

dbTest(
  "a history page is one statement, session included, for the newest page and both cursors",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const path = `${ch}/${w.general}/messages`;
    for (let i = 0; i < 4; i++) {
      await h.call("POST", path, { as: "alice", body: { clientId: `s${i}`, body: `m${i}` } });
    }
    let newest!: z.infer<typeof R.HistoryPage>;
    const q = await statements(db, async () => {
      newest = expectBody(await h.call("GET", `${path}?limit=2`, { as: "bob" }), 200, R.HistoryPage);
    });
    assert.equal(q.length, 1, q.join("\n"));
    assert.deepEqual(newest.messages.map((m) => m.body), ["m2", "m3"]);
    for (const query of [`before=${newest.olderCursor}`, `after=${newest.olderCursor}`]) {
      const r = await statements(db, async () => {
        expectBody(await h.call("GET", `${path}?limit=2&${query}`, { as: "bob" }), 200, R.HistoryPage);
      });
      assert.equal(r.length, 1, `${query}: ${r.join("\n")}`);
    }
    // The page is the one the two-statement way gives (`pageWithAccess` after `bySession`).
    const { hash } = await newSession(db, w.users.bob, h.f.ws);
    const one = await messagesRepo.pageWithSession(db, hash, w.general, { limit: 2 });
    const two = await messagesRepo.pageWithAccess(db, h.f.ws, w.general, w.users.bob, { limit: 2 });
    assert.deepEqual(one.user, await usersRepo.bySession(db, hash));
    assert.deepEqual(one.found, two);
  },
);

dbTest(
  "a history page is refused for a session ended a moment before, expired, or deactivated",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const path = `${ch}/${w.general}/messages`;
    const refused = async (token: string, label: string) => {
      const r = await h.call("GET", `${path}?limit=50`, { token });
      assert.equal(r.status, 401, `${label}: ${r.text}`);
      assert.equal(r.json.error.code, "unauthenticated", label);
      assert.doesNotMatch(r.text, /hello/, label);
    };

    // Ended (logged out, or deleted by an admin) just before: refused by the very next request.
    const a = await newSession(db, w.users.bob, h.f.ws);
    assert.equal((await h.call("GET", `${path}?limit=50`, { token: a.token })).status, 200);
    await sessionsRepo.remove(db, a.hash);
    await refused(a.token, "revoked");
    const b = await newSession(db, w.users.bob, h.f.ws);
    assert.equal((await h.call("POST", "/api/auth/logout", { token: b.token })).status, 200);
    await refused(b.token, "logged out");
    const one = await messagesRepo.pageWithSession(db, a.hash, w.general, { limit: 50 });
    assert.deepEqual(one, { user: null });

    // Expired.
    const c = await newSession(db, w.users.bob, h.f.ws);
    await db.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [
      c.hash,
    ]);
    await refused(c.token, "expired");

    // Deactivated: the statement reads the user but nothing of the channel.
    const d = await newSession(db, w.users.bob, h.f.ws);
    await usersRepo.setDeactivated(db, w.users.bob, true);
    await refused(d.token, "deactivated");
    const read = await messagesRepo.pageWithSession(db, d.hash, w.general, { limit: 50 });
    assert.equal(read.user?.id, w.users.bob);
    assert.equal(read.found, undefined);
    await usersRepo.setDeactivated(db, w.users.bob, false);
    assert.equal((await h.call("GET", `${path}?limit=50`, { token: d.token })).status, 200);

    // No session: 401 before anything about the input (a bad id, a bad cursor, an `around` page).
    for (
      const p of [`${ch}/abc/messages`, `${path}?before=abc`, `${path}?other=%00`, `${path}?around=${w.msg}`]
    ) {
      for (const token of [undefined, "forged-token", a.token]) {
        const r = await h.call("GET", p, { token });
        assert.equal(r.status, 401, `${p} ${token}: ${r.text}`);
      }
    }
    // With one, the input is checked as before.
    assert.equal((await h.call("GET", `${ch}/abc/messages`, { as: "bob" })).status, 400);
    assert.equal((await h.call("GET", `${path}?before=abc`, { as: "bob" })).status, 400);
    assert.equal((await h.call("GET", `${path}?other=%00`, { as: "bob" })).status, 400);
    assert.equal((await h.call("GET", `${path}?around=${w.msg}`, { as: "bob" })).status, 200);
  },
);

dbTest("a history page: non-members of a private channel and other workspaces see no channel", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  for (const [who, id] of [["carol", w.secret], ["eve", w.general], ["carol", 987654]] as const) {
    const r = await h.call("GET", `${ch}/${id}/messages`, { as: who });
    assert.equal(r.status, 404, `${who} ${id}: ${r.text}`);
    assert.equal(r.json.error.code, "not_found");
  }
  // Another workspace's channel is not read for eve's session (the channel is looked up in hers).
  const eve = await newSession(db, w.users.eve, h.f.otherWs);
  const read = await messagesRepo.pageWithSession(db, eve.hash, w.general, { limit: 50 });
  assert.equal(read.found, null);
});

dbTest(
  "a history page for an embed session: only from its origin, its page read after the check",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    await workspacesRepo.putSetting(db, h.f.ws, "widget.host_origins", [HOST + "/"]);
    const s = await newSession(db, w.users.bob, h.f.ws, HOST);
    const path = `${ch}/${w.general}/messages`;
    const ok = await h.call("GET", path, { token: s.token, origin: HOST });
    assert.equal(expectBody(ok, 200, R.HistoryPage).messages.at(-1)?.body, "hello");
    for (const origin of ["http://127.0.0.1:4200", null]) {
      const r = await h.call("GET", path, { token: s.token, origin });
      assert.equal(r.status, 403, `${origin}: ${r.text}`);
      assert.equal(r.json.error.code, "origin_not_allowed");
    }
    const read = await messagesRepo.pageWithSession(db, s.hash, w.general, { limit: 50 });
    assert.equal(read.user?.embedOrigin, HOST);
    assert.equal(read.found, undefined);
  },
);
