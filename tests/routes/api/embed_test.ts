/**
 * The staff widget on a host application's origin: CORS only for allow-listed origins, the JWT exchanged for
 * a short bearer session bound to the calling origin, refresh, tickets, "open in full chat", and the
 * refusals (unlisted origin, forged/expired JWT, another workspace's token, another origin, after sign-out
 * and deactivation). The cookie session's CSRF rule is unchanged.
 */
import assert from "node:assert/strict";
import * as jose from "jose";
import { dbTest } from "../../helpers/db.ts";
import { expectBody, type Http, httpFixture, ORIGIN, snapshot } from "../http.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import { EMBED_SESSION_SECONDS } from "../../../domain/embed.ts";
import { EmbedSessionResponse, TicketResponse } from "../../../routes/api/response_schemas.ts";

const SECRET = "a-shared-secret-of-enough-length-0123456789";
const HOST = "http://localhost:4100";
const OTHER_HOST = "http://127.0.0.1:4200";
const now = () => Math.floor(Date.now() / 1000);

function jwt(extra: jose.JWTPayload = {}, secret = SECRET) {
  return new jose.SignJWT({
    sub: "host-7",
    name: "Hana Host",
    email: "hana@host.example",
    iat: now(),
    exp: now() + 300,
    jti: crypto.randomUUID(),
    ...extra,
  }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
}

async function setup(db: Parameters<typeof httpFixture>[0], pages = false) {
  const h = await httpFixture(db, { config: { sso: { hsSecret: SECRET, maxLifetimeSeconds: 600 } }, pages });
  await workspacesRepo.putSetting(db, h.f.ws, "widget.host_origins", [HOST + "/"]);
  return h;
}

async function exchange(h: Http, origin: string | null, body: unknown, current?: string) {
  return await h.call("POST", "/api/auth/embed", {
    origin,
    body,
    headers: current ? { authorization: `Bearer ${current}` } : {},
  });
}

dbTest(
  "embed: an allow-listed origin exchanges the JWT for a short bearer session bound to it",
  async (db) => {
    const h = await setup(db);
    const pre = await h.call("OPTIONS", "/api/auth/embed", {
      origin: HOST,
      headers: { "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), HOST);
    assert.match(pre.headers.get("access-control-allow-headers")!, /authorization/);
    assert.equal(pre.headers.get("access-control-allow-credentials"), null);

    const r = await exchange(h, HOST, { token: await jwt() });
    const s = expectBody(r, 200, EmbedSessionResponse);
    assert.equal(r.headers.get("access-control-allow-origin"), HOST);
    assert.equal(r.headers.get("access-control-allow-credentials"), null);
    assert.equal(r.headers.get("set-cookie"), null, "no cookie: the session is a bearer token");
    const lifetime = (Date.parse(s.expiresAt) - Date.now()) / 1000;
    assert.ok(lifetime > EMBED_SESSION_SECONDS - 30 && lifetime <= EMBED_SESSION_SECONDS, String(lifetime));
    const row = await db.query<{ embed_origin: string }>(
      "SELECT embed_origin FROM sessions WHERE user_id = $1",
      [s.user.id],
    );
    assert.deepEqual(row.map((x) => x.embed_origin), [HOST]);

    // The widget's calls from the host origin work, with CORS headers.
    const me = await h.call("GET", "/api/auth/me", { token: s.token, origin: HOST });
    assert.equal(me.status, 200);
    assert.equal(me.json.user.displayName, "Hana Host");
    assert.equal(me.headers.get("access-control-allow-origin"), HOST);
    const channels = await h.call("GET", "/api/chat/channels", { token: s.token, origin: HOST });
    assert.equal(channels.status, 200);

    // Bound to its origin: not from another origin (even one allowed elsewhere), not without one.
    await workspacesRepo.putSetting(db, h.f.otherWs, "widget.host_origins", [OTHER_HOST]);
    for (const origin of [OTHER_HOST, ORIGIN, null]) {
      const x = await h.call("GET", "/api/chat/channels", { token: s.token, origin });
      assert.equal(x.status, 403, String(origin));
      assert.equal(x.json.error.code, "origin_not_allowed");
    }

    // A refresh with a fresh JWT and the current token extends the same session.
    await db.query("UPDATE sessions SET expires_at = now() + interval '1 minute' WHERE embed_origin = $1", [
      HOST,
    ]);
    const again = expectBody(
      await exchange(h, HOST, { token: await jwt() }, s.token),
      200,
      EmbedSessionResponse,
    );
    assert.equal(again.token, s.token);
    assert.ok(Date.parse(again.expiresAt) - Date.now() > 10 * 60_000);
    assert.equal((await db.query("SELECT 1 FROM sessions WHERE user_id = $1", [s.user.id])).length, 1);

    // Taking the origin off the list stops the session at once.
    await workspacesRepo.putSetting(db, h.f.ws, "widget.host_origins", []);
    const off = await h.call("GET", "/api/chat/channels", { token: s.token, origin: HOST });
    assert.equal(off.status, 403);
  },
);

dbTest(
  "embed: refused for an unlisted origin, a forged or expired JWT, another workspace's token",
  async (db) => {
    const h = await setup(db);
    const before = await db.query("SELECT count(*)::int AS n FROM users");
    // Preflight from an origin on no list: 403 and no CORS header, so the browser never sends the request.
    for (const path of ["/api/auth/embed", "/api/chat/channels", "/api/auth/tickets"]) {
      const pre = await h.call("OPTIONS", path, {
        origin: "http://evil.example",
        headers: { "access-control-request-method": "POST" },
      });
      assert.equal(pre.status, 403, path);
      assert.equal(pre.headers.get("access-control-allow-origin"), null);
    }
    const refusedWith = async (origin: string | null, token: string, status: number, code: string) => {
      const r = await exchange(h, origin, { token });
      assert.equal(r.status, status, `${origin}: ${r.text}`);
      assert.equal(r.json.error.code, code);
      assert.notEqual(r.headers.get("access-control-allow-origin"), "http://evil.example");
    };
    await refusedWith("http://evil.example", await jwt(), 403, "origin_not_allowed");
    await refusedWith(null, await jwt(), 403, "origin_not_allowed");
    await refusedWith(
      HOST,
      await jwt({}, "not-the-secret-but-long-enough-0123456789"),
      401,
      "unauthenticated",
    );
    await refusedWith(HOST, await jwt({ iat: now() - 900, exp: now() - 600 }), 401, "unauthenticated");
    const used = await jwt();
    assert.equal((await exchange(h, HOST, { token: used })).status, 200);
    await refusedWith(HOST, used, 401, "unauthenticated");
    // A token for the other workspace, whose list does not have this origin.
    await refusedWith(HOST, await jwt({ workspace: "other", sub: "other-1" }), 403, "origin_not_allowed");
    await refusedWith(HOST, "not a jwt at all", 401, "unauthenticated");
    const after = await db.query("SELECT count(*)::int AS n FROM users");
    assert.deepEqual(
      after,
      [{ n: (before[0] as { n: number }).n + 1 }],
      "only the one good exchange made a user",
    );
    assert.equal(
      (await db.query("SELECT 1 FROM sessions WHERE embed_origin IS NOT NULL")).length,
      1,
      "no session from any refused exchange",
    );
  },
);

dbTest("embed: a bearer session ends with sign-out and with deactivation", async (db) => {
  const h = await setup(db);
  const a = expectBody(await exchange(h, HOST, { token: await jwt() }), 200, EmbedSessionResponse);
  const out = await h.call("POST", "/api/auth/logout", { token: a.token, origin: HOST });
  assert.equal(out.status, 200);
  const gone = await h.call("GET", "/api/auth/me", { token: a.token, origin: HOST });
  assert.equal(gone.status, 401);
  // A refresh cannot bring it back: the old token is not extended, a new session starts.
  const b = expectBody(await exchange(h, HOST, { token: await jwt() }, a.token), 200, EmbedSessionResponse);
  assert.notEqual(b.token, a.token);

  const deact = await h.call("POST", `/api/admin/people/${b.user.id}/deactivate`, {
    as: "admin",
    body: { reason: "left the company" },
  });
  assert.equal(deact.status, 200, deact.text);
  assert.equal((await h.call("GET", "/api/auth/me", { token: b.token, origin: HOST })).status, 401);
  const ticket = await h.call("POST", "/api/auth/tickets", {
    token: b.token,
    origin: HOST,
    body: { purpose: "socket" },
  });
  assert.equal(ticket.status, 401);
  // And a new JWT for the deactivated person is refused.
  const again = await exchange(h, HOST, { token: await jwt() });
  assert.equal(again.status, 403);
  assert.equal(again.json.error.code, "deactivated");
});

dbTest("embed: cookie sessions keep their CSRF rule and get no CORS credentials", async (db) => {
  const h = await setup(db);
  const snap = await snapshot(db);
  const put = await h.call("PUT", "/api/chat/me/status", {
    as: "alice",
    via: "cookie",
    origin: HOST,
    body: { status: "away" },
  });
  assert.equal(put.status, 403);
  assert.equal(put.json.error.code, "csrf");
  assert.equal(put.headers.get("access-control-allow-credentials"), null);
  // The JWT exchange to a cookie (same-origin SSO) is still refused from a foreign origin.
  const sso = await h.call("POST", "/api/auth/sso", { origin: HOST, body: { token: await jwt() } });
  assert.equal(sso.status, 403);
  assert.equal(sso.json.error.code, "csrf");
  assert.equal(await snapshot(db), snap);
  // Ordinary bearer sessions are not embed sessions: they keep working from anywhere (non-browser clients).
  assert.equal((await h.call("GET", "/api/auth/me", { as: "alice" })).status, 200);
});

dbTest(
  "embed: 'open' tickets become a cookie session on Parley's origin only after confirmation",
  async (db) => {
    const h = await setup(db, true);
    const s = expectBody(await exchange(h, HOST, { token: await jwt() }), 200, EmbedSessionResponse);
    const ticket = async (purpose: string) =>
      await h.call("POST", "/api/auth/tickets", { token: s.token, origin: HOST, body: { purpose } });
    assert.equal((await ticket("x")).status, 400);
    const t = expectBody(await ticket("open"), 201, TicketResponse);
    const form = (tk: string, next: string, origin: string) =>
      h.call("POST", "/embed/open", {
        origin,
        body: `ticket=${encodeURIComponent(tk)}&next=${encodeURIComponent(next)}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });

    // Following the link signs nobody in: it asks first, naming who and from where.
    const page = await h.call("GET", `/embed/open?ticket=${t.ticket}&next=/chat/5`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("set-cookie"), null);
    assert.match(page.text, /Continue to Parley as Hana Host, signed in from http:\/\/localhost:4100/);
    assert.match(page.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
    // The confirmation must come from Parley's own page.
    assert.equal((await form(t.ticket, "/chat/5", HOST)).status, 403);
    const ok = await form(t.ticket, "/chat/5", ORIGIN);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/chat/5");
    const cookie = /parley_session=([^;]+)/.exec(ok.headers.get("set-cookie") ?? "")?.[1];
    assert.ok(cookie);
    const me = await h.call("GET", "/api/auth/me", { token: cookie, via: "cookie" });
    assert.equal(me.json.user.id, s.user.id);
    // An ordinary session: not bound to the host origin.
    assert.equal(
      (await db.query("SELECT 1 FROM sessions WHERE embed_origin IS NULL AND user_id = $1", [s.user.id]))
        .length,
      1,
    );

    // Single use; a socket ticket is not an open ticket; junk and foreign next paths go nowhere.
    assert.equal((await form(t.ticket, "/chat/5", ORIGIN)).status, 400);
    const sock = expectBody(await ticket("socket"), 201, TicketResponse);
    assert.equal((await h.call("GET", `/embed/open?ticket=${sock.ticket}`)).status, 400);
    assert.equal((await form(sock.ticket, "/chat", ORIGIN)).status, 400);
    assert.equal((await h.call("GET", "/embed/open?ticket=nope")).status, 400);
    const t2 = expectBody(await ticket("open"), 201, TicketResponse);
    const away = await form(t2.ticket, "//evil.example/x", ORIGIN);
    assert.equal(away.headers.get("location"), "/chat");
    // After sign-out of the embed session, a ticket it issued is worthless.
    const t3 = expectBody(await ticket("open"), 201, TicketResponse);
    await h.call("POST", "/api/auth/logout", { token: s.token, origin: HOST });
    assert.equal((await form(t3.ticket, "/chat", ORIGIN)).status, 400);
  },
);
