/**
 * The connection: handshake authentication, Origin, the ready frame and hello, frame limits, heartbeats,
 * rate limits, and sockets closed when the session ends. Real server, real WebSocket clients.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";
import * as sessionsRepo from "../../../db/repos/sessions.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import { sha256 } from "../../../domain/auth.ts";
import { rawUpgrade, serverTest, until, WsClient } from "../helpers.ts";

serverTest("ready, then hello replays what the client missed and sends unread counts", async (t) => {
  const { f } = t;
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  for (let i = 1; i <= 3; i++) {
    await messages.send(f.deps, f.actor("bob"), {
      channelId: ch.id,
      clientId: `b${i}`,
      body: `hi @alice ${i}`,
    });
  }
  const a = await WsClient.open(t.url, await t.token("alice"));
  assert.equal(a.ready!.userId, f.users.alice.id);
  assert.equal(typeof a.ready!.connectionId, "string");
  assert.equal(a.ready!.heartbeatMs, t.server.deps.config.ws.heartbeatMs);
  const mark = a.frames.length;
  const data = await a.ok("hello", {
    channels: { [ch.id]: 1 },
    page: "/chat/general",
    presenceSub: [f.users.alice.id],
  });
  assert.equal(data.replayed, 2);
  assert.deepEqual(data.resync, []);
  assert.ok(
    data.presence.some((p: { userId: number; connections: number }) =>
      p.userId === f.users.alice.id && p.connections === 1
    ),
  );
  // Without `presenceSub` or `presence: true` the list is left out (a second hello on the same socket);
  // `presence: true` alone is the snapshot of the subscription the socket has.
  assert.equal((await a.ok("hello", { channels: {} })).presence, undefined);
  const again = await a.ok("hello", { channels: {}, presence: true });
  assert.deepEqual(again.presence.map((p: { userId: number }) => p.userId), [f.users.alice.id]);
  const replayed = a.frames.slice(mark).filter((x) => x.type === "message_received");
  assert.deepEqual(replayed.map((e) => e.seq), [2, 3]);
  const counts = a.frames.slice(mark).find((x) => x.type === "unread_counts")!;
  assert.deepEqual(counts.counts.find((c: { channelId: number }) => c.channelId === ch.id), {
    channelId: ch.id,
    unread: 3,
    mentions: 3,
    lastReadSeq: 0,
  });
  // The replay and the counts come before the ack of the hello.
  const ackAt = a.frames.findIndex((x) => x.type === "ack");
  assert.ok(a.frames.indexOf(counts) < ackAt && a.frames.indexOf(replayed[1]) < ackAt);
  a.close();
});

serverTest("a hello sent the moment the socket opens, before ready, still gets its replay", async (t) => {
  const { f } = t;
  const ch = await channels.create(f.deps, f.actor("mod"), { name: "general", memberIds: [f.users.bob.id] });
  for (let i = 1; i <= 3; i++) {
    await messages.send(f.deps, f.actor("bob"), { channelId: ch.id, clientId: `b${i}`, body: `m${i}` });
  }
  const token = await t.token("bob");
  for (let i = 0; i < 10; i++) {
    const c = await WsClient.open(t.url, token, { waitReady: false });
    await new Promise((r) => c.ws.addEventListener("open", r, { once: true }));
    const r = await c.request("hello", { channels: { [ch.id]: 0 } });
    assert.equal(r.type, "ack");
    assert.equal(r.data.replayed, 3, `attempt ${i}`);
    assert.deepEqual(c.of("message_received").map((e) => e.seq), [1, 2, 3]);
    c.close();
    await c.closed;
  }
});

serverTest("the handshake needs a live session: no token, forged, expired refused with 401", async (t) => {
  const { f } = t;
  assert.equal((await rawUpgrade(t.url, {})).status, 401);
  const forged = await rawUpgrade(t.url, { authorization: "Bearer not-a-real-token" });
  assert.equal(forged.status, 401);
  assert.equal(JSON.parse(forged.body).error.code, "unauthenticated");
  const expired = "expired-token-0123456789";
  await sessionsRepo.insert(f.deps.db, {
    tokenHash: await sha256(expired),
    userId: f.users.alice.id,
    workspaceId: f.ws,
    expiresAt: new Date(Date.now() - 1000),
    userAgent: "test",
  });
  assert.equal((await rawUpgrade(t.url, { authorization: `Bearer ${expired}` })).status, 401);
  await assert.rejects(WsClient.open(t.url, expired), /refused or closed before ready/);
  assert.equal((await rawUpgrade(t.url, { authorization: `Bearer ${await t.token("alice")}` })).status, 101);
});

serverTest(
  "a foreign Origin is refused at the upgrade; same origin and allow-listed ones pass",
  async (t) => {
    const auth = { authorization: `Bearer ${await t.token("alice")}` };
    const evil = await rawUpgrade(t.url, { ...auth, origin: "https://evil.example" });
    assert.equal(evil.status, 403);
    assert.equal(JSON.parse(evil.body).error.code, "bad_origin");
    await assert.rejects(WsClient.open(t.url, await t.token("alice"), { origin: "https://evil.example" }));
    assert.equal((await rawUpgrade(t.url, { ...auth, origin: t.url })).status, 101);
    assert.equal((await rawUpgrade(t.url, { ...auth, origin: "https://chat.example.com" })).status, 101);
    // A cookie does not help a foreign page either.
    const cookie = await rawUpgrade(t.url, {
      cookie: `parley_session=${await t.token("alice")}`,
      origin: "https://evil.example",
    });
    assert.equal(cookie.status, 403);
  },
  { env: { ALLOWED_ORIGINS: "https://chat.example.com" } },
);

serverTest("a browser signs in with the login API and opens the socket with its cookie", async (t) => {
  const res = await fetch(`${t.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: t.url },
    body: JSON.stringify({ username: "alice", password: "pw" }),
  });
  assert.equal(res.status, 200);
  const { token } = await res.json();
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const viaCookie = await WsClient.open(t.url, null, { origin: t.url, headers: { cookie } });
  assert.equal(viaCookie.ready!.userId, t.f.users.alice.id);
  const viaBearer = await WsClient.open(t.url, token);
  assert.equal(viaBearer.ready!.userId, t.f.users.alice.id);
  viaCookie.close();
  viaBearer.close();
});

serverTest(
  "logout closes that session's sockets with 4001 within seconds; other sessions stay",
  async (t) => {
    const login = async () => {
      const res = await fetch(`${t.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "alice", password: "pw" }),
      });
      return (await res.json()).token as string;
    };
    const [laptop, phone] = [await login(), await login()];
    const tab1 = await WsClient.open(t.url, laptop);
    const tab2 = await WsClient.open(t.url, laptop);
    const other = await WsClient.open(t.url, phone);
    for (const c of [tab1, tab2, other]) await c.ok("hello");
    const started = Date.now();
    const out = await fetch(`${t.url}/api/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${laptop}` },
    });
    assert.equal(out.status, 200);
    await out.body?.cancel();
    const [c1, c2] = await Promise.all([tab1.closed, tab2.closed]);
    assert.equal(c1.code, 4001);
    assert.equal(c2.code, 4001);
    assert.ok(Date.now() - started < 8000, "closed within a few seconds");
    assert.ok(tab1.of("session_revoked").length >= 1);
    // The phone's session is untouched: still open, still answering, told nothing about being revoked.
    assert.equal(other.isClosed, false);
    assert.equal((await other.request("ping")).type, "ack");
    assert.equal(other.of("session_revoked").length, 0);
    // And the logged-out token cannot reconnect.
    assert.equal((await rawUpgrade(t.url, { authorization: `Bearer ${laptop}` })).status, 401);
    other.close();
  },
);

serverTest("a deactivated user's sockets are closed with 4001 and cannot reconnect", async (t) => {
  const token = await t.token("carol");
  const c = await WsClient.open(t.url, token);
  const bob = await WsClient.open(t.url, await t.token("bob"));
  await usersRepo.setDeactivated(t.f.deps.db, t.f.users.carol.id, true);
  const closed = await c.closed;
  assert.equal(closed.code, 4001);
  assert.equal((await rawUpgrade(t.url, { authorization: `Bearer ${token}` })).status, 401);
  assert.equal(bob.isClosed, false);
  bob.close();
});

serverTest(
  "malformed, binary, id-less and unknown frames get error frames; the socket stays usable",
  async (t) => {
    const c = await WsClient.open(t.url, await t.token("alice"));
    const errorsBefore = () => c.of("error").length;
    const expectError = async (send: unknown) => {
      const n = errorsBefore();
      c.send(send);
      await until("an error frame", () => c.of("error").length > n);
      return c.of("error")[n];
    };
    assert.deepEqual((await expectError("{not json")).error.code, "bad_frame");
    assert.deepEqual((await expectError("[1,2]")).error.code, "bad_frame");
    assert.deepEqual((await expectError("null")).error.code, "bad_frame");
    assert.deepEqual((await expectError(new Uint8Array([1, 2, 3]))).error.code, "bad_frame");
    const noId = await expectError({ action: "ping" });
    assert.equal(noId.id, null);
    assert.equal(noId.error.code, "bad_frame");
    assert.equal((await expectError({ id: "x".repeat(65), action: "ping" })).error.code, "bad_frame");
    const unknown = await c.request("launch_rockets");
    assert.equal(unknown.type, "error");
    assert.equal(unknown.error.code, "unknown_action");
    assert.equal((await c.request("__proto__")).error.code, "unknown_action");
    assert.equal((await c.request("toString")).error.code, "unknown_action");
    assert.equal(
      (await c.request("send_message", { channelId: "1", clientId: "k", body: "x" })).error.code,
      "invalid_input",
    );
    assert.equal((await c.request("ping")).type, "ack");
    c.close();
  },
);

serverTest("a frame over the size limit closes the socket with 1009", async (t) => {
  const c = await WsClient.open(t.url, await t.token("alice"));
  c.send(JSON.stringify({ id: "big", action: "ping", pad: "x".repeat(5000) }));
  const closed = await c.closed;
  assert.equal(closed.code, 1009);
  const d = await WsClient.open(t.url, await t.token("alice"));
  assert.equal((await d.request("ping", { pad: "x".repeat(3000) })).type, "ack");
  d.close();
}, { env: { WS_MAX_FRAME_BYTES: "4096" } });

serverTest("a silent peer is dropped with 4000 after missed heartbeats; a pinging one is kept", async (t) => {
  const silent = await WsClient.open(t.url, await t.token("alice"));
  const alive = await WsClient.open(t.url, await t.token("bob"));
  assert.equal(alive.ready!.heartbeatMs, 2000);
  const timer = setInterval(() => !alive.isClosed && alive.send({ id: "hb", action: "ping" }), 250);
  try {
    const closed = await silent.closed;
    assert.equal(closed.code, 4000);
    assert.equal(alive.isClosed, false);
  } finally {
    clearInterval(timer);
    alive.close();
  }
}, { env: { WS_HEARTBEAT_MS: "2000" } });

serverTest(
  "a peer that goes silent without closing (no frame, no pong) has its connection closed",
  async (t) => {
    // A raw TCP client: it completes the upgrade and then never writes again, not even the pong a WebSocket
    // library sends by itself, and never closes: a peer gone without a FIN. The socket's own close() would
    // wait for its close frame forever; the server must end the TCP connection within the idle timeout
    // (pinged at half, closed at the whole: 2 s here), long before the heartbeat check (35 s by default).
    const u = new URL(t.url);
    const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
    try {
      const head = [
        "GET /api/chat/ws HTTP/1.1",
        `Host: ${u.host}`,
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        `Sec-WebSocket-Key: ${btoa(crypto.randomUUID().slice(0, 16))}`,
        `Authorization: Bearer ${await t.token("alice")}`,
        "",
        "",
      ].join("\r\n");
      await conn.write(new TextEncoder().encode(head));
      const start = Date.now();
      const buf = new Uint8Array(16 * 1024);
      let text = "";
      const ended = (async () => {
        while (true) {
          const n = await conn.read(buf).catch(() => null); // a reset ends it too
          if (n === null) return Date.now() - start;
          text += new TextDecoder().decode(buf.subarray(0, n));
        }
      })();
      const waited = await Promise.race([ended, new Promise<null>((r) => setTimeout(() => r(null), 8_000))]);
      assert.match(text, /^HTTP\/1\.1 101/);
      assert.ok(waited !== null, "the server kept a silent peer's connection open past the idle timeout");
      assert.ok(waited >= 1_500, `closed after ${waited} ms, before the idle timeout`);
    } finally {
      conn.close();
    }
  },
  { env: { WS_IDLE_TIMEOUT_S: "2" } },
);

serverTest("sends, typing and connection attempts are rate limited with retryAfter", async (t) => {
  const { f } = t;
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id],
  });
  const token = await t.token("alice");
  const c = await WsClient.open(t.url, token);
  for (let i = 0; i < 3; i++) await c.ok("send_message", { channelId: ch.id, clientId: `k${i}`, body: "x" });
  const limited = await c.fails("send_message", { channelId: ch.id, clientId: "k3", body: "x" });
  assert.equal(limited.code, "rate_limited");
  assert.ok(limited.retryAfter! >= 1);
  // A retry of an acknowledged send is answered from the database, not charged against the limit.
  assert.equal((await c.ok("send_message", { channelId: ch.id, clientId: "k0", body: "x" })).created, false);
  for (let i = 0; i < 3; i++) await c.ok("typing_start", { channelId: ch.id });
  assert.equal((await c.fails("typing_start", { channelId: ch.id })).code, "rate_limited");
  // Connections: 3 per minute for this user; this socket was the first.
  const second = await WsClient.open(t.url, token);
  const third = await WsClient.open(t.url, token);
  const refused = await rawUpgrade(t.url, { authorization: `Bearer ${token}` });
  assert.equal(refused.status, 429);
  assert.equal(JSON.parse(refused.body).error.code, "rate_limited");
  // Other users are not affected.
  const bob = await WsClient.open(t.url, await t.token("bob"));
  for (const s of [c, second, third, bob]) s.close();
}, { env: { RATE_SENDS_PER_MINUTE: "3", RATE_TYPING_PER_MINUTE: "3", RATE_CONNECTS_PER_MINUTE: "3" } });

/** A client frame as the protocol requires it: text, final, masked. */
function maskedTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const len = payload.length;
  const head = len < 126 ? [0x81, 0x80 | len] : [0x81, 0x80 | 126, len >> 8, len & 0xff];
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const out = new Uint8Array(head.length + 4 + len);
  out.set(head, 0);
  out.set(mask, head.length);
  for (let i = 0; i < len; i++) out[head.length + 4 + i] = payload[i] ^ mask[i % 4];
  return out;
}

serverTest("a consumer that stops reading is disconnected, not buffered without bound", async (t) => {
  const { f } = t;
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "busy",
    memberIds: [f.users.alice.id, f.users.bob.id],
  })).id;
  // Alice's client upgrades, says hello, and then never reads again.
  const u = new URL(t.url);
  const tcp = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  const request = [
    "GET /api/chat/ws HTTP/1.1",
    `Host: ${u.host}`,
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}`,
    `Authorization: Bearer ${await t.token("alice")}`,
    "",
    "",
  ].join("\r\n");
  await tcp.write(new TextEncoder().encode(request));
  await until("alice's connection", () => t.server.hub.connectionsOf(f.users.alice.id).length === 1);
  await tcp.write(maskedTextFrame(JSON.stringify({ id: "h", action: "hello", channels: { [ch]: 0 } })));
  await until("hello handled", () => t.server.hub.connectionsOf(f.users.alice.id)[0]?.pending === null);
  // Big messages go to the channel until the hub gives up on alice; bob reads everything.
  const bob = await WsClient.open(t.url, await t.token("bob"));
  await bob.ok("hello", { channels: { [ch]: 0 } });
  const body = "x".repeat(200_000);
  let sent = 0;
  while (t.server.hub.stats.slowClosed === 0 && sent < 500) {
    const m = await messages.send(f.deps, f.actor("mod"), { channelId: ch, clientId: `big${sent}`, body });
    sent++;
    // Bob keeps up (the server runs in this process: he reads only when the test yields).
    await bob.waitFor((e) => e.type === "message_received" && e.seq === m.message.seq);
  }
  assert.equal(t.server.hub.stats.slowClosed, 1, `closed after ${sent} messages`);
  console.log(`slow consumer closed after ${sent} messages of 200 kB`);
  assert.deepEqual(t.server.hub.connectionsOf(f.users.alice.id), []);
  // Bob is unaffected and got every one of his messages live.
  await until("bob's events", () => bob.of("message_received").length === sent);
  assert.equal(bob.isClosed, false);
  tcp.close();
  bob.close();
}, { env: { WS_SEND_BUFFER_SOFT: "262144", WS_SEND_BUFFER_HARD: "2097152", MESSAGE_MAX_CHARS: "250000" } });

serverTest("a connection whose channels cannot be loaded is refused, not left deaf", async (t) => {
  const db = t.server.deps.db;
  const query = db.query.bind(db);
  // A database failure on exactly the upgrade's read of the session with the user's channels.
  const failing = ((text: string, params?: unknown[]) =>
    text.includes('AS "channelIds" FROM sessions')
      ? Promise.reject(new Error("injected: connection lost"))
      : query(text, params)) as typeof db.query;
  Object.assign(db, { query: failing });
  const consoleError = console.error;
  console.error = () => {};
  try {
    const r = await rawUpgrade(t.url, { authorization: `Bearer ${await t.token("alice")}` });
    assert.ok(r.status >= 500, `status ${r.status}`);
    // No socket was opened, so none can sit registered with no channels.
    assert.deepEqual(t.server.hub.connectionsOf(t.f.users.alice.id), []);
  } finally {
    console.error = consoleError;
    Object.assign(db, { query });
  }
  // Once the database answers again, connecting works.
  const b = await WsClient.open(t.url, await t.token("alice"));
  assert.ok(b.ready);
  b.close();
});
