/**
 * Sockets of the staff widget on a host application's origin: opened with a single-use ticket issued to
 * that origin (browsers cannot set an Authorization header on a WebSocket). Refused: a used ticket, a
 * ticket presented from another origin, an origin taken off the list, the embed token as a header, a cookie
 * session from the foreign origin; an open socket closes when its origin is taken off the list and when the
 * embed session is signed out.
 */
import assert from "node:assert/strict";
import * as jose from "jose";
import { rawUpgrade, serverTest, WsClient } from "../helpers.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";
import { embedSignIn, issueTicket } from "../../../domain/embed.ts";
import { authenticate, logout } from "../../../domain/auth.ts";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";

const SECRET = "a-shared-secret-of-enough-length-0123456789";
const HOST = "http://localhost:4100";

function closedWithin(ws: WsClient, ms = 20_000) {
  return Promise.race([ws.closed, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
}

serverTest("embed sockets open with a ticket from their own origin, once", async (t) => {
  await workspacesRepo.putSetting(t.f.deps.db, t.f.ws, "widget.host_origins", [HOST]);
  const jwt = await new jose.SignJWT({ sub: "h-1", name: "Hana Host", jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("5m")
    .sign(new TextEncoder().encode(SECRET));
  const s = await embedSignIn(t.f.deps, { token: jwt }, {
    ip: "127.0.0.1",
    userAgent: "test",
    origin: HOST,
    current: null,
  });
  const actor = (await authenticate(t.f.deps, s.token))!;
  const dm = await channels.openDirect(t.f.deps, t.f.actor("bob"), { userId: s.user.id });
  const ticket = async (origin = HOST) => (await issueTicket(t.f.deps, actor, "socket", origin)).ticket;
  const q = (tk: string) => `?ticket=${encodeURIComponent(tk)}`;

  const good = await ticket();
  const ws = await WsClient.open(t.url, null, { origin: HOST, query: q(good) });
  assert.equal(ws.ready!.userId, s.user.id);
  await ws.ok("hello", { channels: {} });
  // Live messages reach it.
  const live = ws.next((f) => f.type === "message_received" && f.message.body === "hello from bob");
  await messages.send(t.f.deps, t.f.actor("bob"), {
    channelId: dm.id,
    clientId: "b1",
    body: "hello from bob",
  });
  await live;

  const refused = async (headers: Record<string, string>, query: string, code: string) => {
    const r = await rawUpgrade(t.url, headers, query);
    assert.equal(r.status, 403, `${JSON.stringify(headers)} ${query}`);
    assert.equal(JSON.parse(r.body).error.code, code);
  };
  // Used once already.
  await refused({ origin: HOST }, q(good), "bad_ticket");
  // Presented from another origin than it was issued to, or from none.
  await refused({ origin: "http://evil.example" }, q(await ticket()), "bad_ticket");
  await refused({}, q(await ticket()), "bad_ticket");
  await refused({ origin: HOST }, "?ticket=made-up", "bad_ticket");
  // The embed token itself does not open sockets, from anywhere.
  await refused({ authorization: `Bearer ${s.token}`, origin: HOST }, "", "bad_origin");
  await refused({ authorization: `Bearer ${s.token}` }, "", "bad_origin");
  // A cookie session from the foreign origin: the Origin check is unchanged.
  await refused({ cookie: `parley_session=${await t.token("alice")}`, origin: HOST }, "", "bad_origin");
  // Off the list: tickets issued before no longer open sockets, and the open socket ends at the next check.
  const before = await ticket();
  // Waited for from before the change: the gateway's check (every 300 ms here) may end the socket while the
  // refused upgrade below is on its way.
  const revoked = ws.next((f) => f.type === "session_revoked");
  await workspacesRepo.putSetting(t.f.deps.db, t.f.ws, "widget.host_origins", []);
  await refused({ origin: HOST }, q(before), "bad_ticket");
  assert.deepEqual(await closedWithin(ws), { code: 4001, reason: "origin not allowed" });
  assert.equal((await revoked).reason, "This site may no longer embed Parley");

  // Back on the list, a new socket; sign-out closes it (the gateway's session check), with 4001.
  await workspacesRepo.putSetting(t.f.deps.db, t.f.ws, "widget.host_origins", [HOST]);
  const again = await WsClient.open(t.url, null, { origin: HOST, query: q(await ticket()) });
  await again.ok("hello", { channels: {} });
  await logout(t.f.deps, actor);
  assert.equal((await closedWithin(again))?.code, 4001);
}, { env: { SSO_JWT_SECRET: SECRET } });
