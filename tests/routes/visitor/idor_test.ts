/**
 * The IDOR matrix: a visitor's token reaches its own conversation and nothing else, over REST and the
 * visitor WebSocket, whatever conversation id it names; staff reach only what they hold or may monitor.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture, snapshot } from "../http.ts";
import { newToken } from "../../../islands/visitor/client.ts";
import * as connectionsRepo from "../../../db/repos/connections.ts";
import { createVisitorGateway, VisitorHub } from "../../../realtime/server/visitor_gateway.ts";
import { createApp } from "../../../routes/app.ts";
import { waitFor } from "../../helpers/wait.ts";

async function world(db: Parameters<typeof httpFixture>[0]) {
  const h = await httpFixture(db);
  await db.query(
    "UPDATE users SET permissions = '{chat.public_queue}' WHERE username IN ('alice','bob','carol','eve')",
  );
  for (const u of [h.f.users.alice, h.f.users.bob]) {
    await connectionsRepo.insertMany(db, [{
      id: crypto.randomUUID(),
      userId: u.id,
      workspaceId: h.f.ws,
      instanceId: "t",
      page: "",
      userAgent: "",
    }]);
  }
  for (const who of ["alice", "bob"] as const) {
    assert.equal(
      (await h.call("PUT", "/api/visitors/availability", { as: who, body: { available: true } })).status,
      200,
    );
  }
  const start = async (name: string) => {
    const token = newToken();
    const r = await h.call("POST", "/api/visitor/start", {
      body: { token, name, formMs: 4000, message: `hello from ${name}` },
    });
    assert.equal(r.status, 201, r.text);
    return { token, id: r.json.conversation.id as number };
  };
  const A = await start("Ann");
  const B = await start("Ben");
  assert.equal(
    (await h.call("POST", `/api/visitors/conversations/${A.id}/claim`, { as: "alice" })).status,
    200,
  );
  assert.equal(
    (await h.call("POST", `/api/visitors/conversations/${B.id}/claim`, { as: "bob" })).status,
    200,
  );
  const asVisitor = (token: string) => ({ headers: { "x-parley-visitor": token } });
  return { h, A, B, asVisitor };
}

dbTest("visitor REST: another conversation's id gets nothing and changes nothing", async (db) => {
  const { h, A, B, asVisitor } = await world(db);
  const bRows = async () =>
    await db.query("SELECT * FROM visitor_messages WHERE conversation_id = $1 ORDER BY id", [B.id]);
  const before = JSON.stringify(await bRows());
  const attempts: [string, string, unknown][] = [
    ["GET", `/api/visitor/conversation?conversationId=${B.id}&id=${B.id}`, undefined],
    ["POST", `/api/visitor/messages?conversationId=${B.id}`, {
      clientId: "x1",
      body: "to B?",
      conversationId: B.id,
    }],
    ["POST", `/api/visitor/typing?conversationId=${B.id}`, { typing: true, conversationId: B.id }],
    ["POST", `/api/visitor/seen?conversationId=${B.id}`, { seq: 1, conversationId: B.id }],
    ["POST", `/api/visitor/rating?conversationId=${B.id}`, { value: 5, conversationId: B.id }],
    ["GET", `/api/visitor/transcript?conversationId=${B.id}`, undefined],
    ["POST", `/api/visitor/transcript/email?conversationId=${B.id}`, { email: "x@example.test" }],
  ];
  let succeededOnB = 0;
  for (const [method, path, body] of attempts) {
    const r = await h.call(method, path, { ...asVisitor(A.token), body });
    if (r.status < 300) {
      // Whatever succeeded was about A, never B.
      assert.doesNotMatch(r.text, /Ben|hello from Ben/, `${method} ${path}`);
      if (r.json?.conversation) assert.equal(r.json.conversation.id, A.id);
    }
    if (r.text.includes("hello from Ben")) succeededOnB++;
    // No token, a made-up token, or B's id as the token: refused.
    for (const token of [undefined, newToken(), String(B.id), "x".repeat(40)]) {
      const r2 = await h.call(method, path, { headers: token ? { "x-parley-visitor": token } : {}, body });
      assert.equal(r2.status, 401, `${method} ${path} with ${token}`);
    }
  }
  assert.equal(succeededOnB, 0);
  assert.equal(JSON.stringify(await bRows()), before, "B's conversation is untouched");
  // A visitor's token is not a staff session.
  for (const path of ["/api/visitors/overview", `/api/visitors/conversations/${B.id}`]) {
    assert.equal((await h.call("GET", path, { token: A.token })).status, 401);
    assert.equal((await h.call("GET", path, asVisitor(A.token))).status, 401);
  }
  // Ending A leaves B alone.
  assert.equal((await h.call("POST", "/api/visitor/end", asVisitor(A.token))).status, 200);
  const bState = await db.query<{ status: string }>(
    "SELECT status FROM visitor_conversations WHERE id = $1",
    [B.id],
  );
  assert.equal(bState[0].status, "active");
});

dbTest(
  "staff: only the holder acts on a conversation (a monitor only reads); nobody from elsewhere",
  async (db) => {
    const { h, A } = await world(db);
    const snap = await snapshot(db);
    const c = `/api/visitors/conversations/${A.id}`;
    const actions: [string, string, unknown][] = [
      ["GET", c, undefined],
      ["POST", `${c}/messages`, { clientId: "s1", body: "hi" }],
      ["POST", `${c}/typing`, { typing: true }],
      ["POST", `${c}/seen`, { seq: 1 }],
      ["POST", `${c}/transfer`, { toUserId: h.f.users.bob.id }],
      ["POST", `${c}/end`, undefined],
      ["POST", `${c}/escalate`, { userIds: [h.f.users.carol.id] }],
      ["POST", `${c}/claim`, undefined],
    ];
    for (const [method, path, body] of actions) {
      for (const who of ["bob", "carol", "eve"] as const) {
        const r = await h.call(method, path, { as: who, body });
        assert.ok([403, 404, 409].includes(r.status), `${who} ${method} ${path}: ${r.status} ${r.text}`);
      }
      const r = await h.call(method, path, { body });
      assert.equal(r.status, 401);
    }
    assert.equal(await snapshot(db), snap, "refused requests changed nothing");
    // Members without the permission see no queue at all.
    await db.query("UPDATE users SET permissions = '{}' WHERE username = 'carol'");
    assert.equal((await h.call("GET", "/api/visitors/overview", { as: "carol" })).status, 403);
    // The holder may.
    assert.equal((await h.call("GET", c, { as: "alice" })).status, 200);
    // A monitor (admin) may see it; eve's workspace cannot even find it.
    assert.equal((await h.call("GET", c, { as: "admin" })).status, 200);
  },
);

dbTest(
  "visitor WebSocket: auth first, then only its own conversation, whatever id a frame names",
  async (db) => {
    const { h, A, B } = await world(db);
    const hub = new VisitorHub();
    const gw = createVisitorGateway(h.f.deps, hub);
    const app = createApp(h.f.deps, { mounts: [["/api/visitor", gw.routes]] });
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/api/visitor/ws`);
      const frames: Record<string, unknown>[] = [];
      ws.onmessage = (e) => frames.push(JSON.parse(e.data));
      await new Promise((r) => (ws.onopen = r));
      const reply = async (id: string) => {
        await waitFor(() => frames.some((f) => f.id === id), `reply ${id}`);
        return frames.find((f) => f.id === id)!;
      };
      ws.send(JSON.stringify({ id: "0", action: "send", clientId: "w0", body: "before auth" }));
      assert.equal(((await reply("0")).error as { code: string }).code, "unauthenticated");
      ws.send(JSON.stringify({ id: "1", action: "auth", token: A.token }));
      assert.equal(((await reply("1")).data as { conversationId: number }).conversationId, A.id);
      ws.send(
        JSON.stringify({ id: "2", action: "send", clientId: "w1", body: "ws hello", conversationId: B.id }),
      );
      const sent = (await reply("2")).data as { message: { conversationId: number } };
      assert.equal(sent.message.conversationId, A.id);
      ws.send(JSON.stringify({ id: "3", action: "typing", typing: true, conversationId: B.id }));
      ws.send(JSON.stringify({ id: "4", action: "seen", seq: 99, conversationId: B.id }));
      ws.send(JSON.stringify({ id: "5", action: "bogus" }));
      assert.equal(((await reply("5")).error as { code: string }).code, "unknown_action");
      await reply("4");
      // Bob writes to B: A's socket hears nothing of it; Alice writes to A: it does.
      await h.call("POST", `/api/visitors/conversations/${B.id}/messages`, {
        as: "bob",
        body: { clientId: "b1", body: "for Ben only" },
      });
      await h.call("POST", `/api/visitors/conversations/${A.id}/messages`, {
        as: "alice",
        body: { clientId: "a1", body: "for Ann" },
      });
      await waitFor(() => frames.some((f) => JSON.stringify(f).includes("for Ann")), "A's reply");
      assert.ok(!frames.some((f) => JSON.stringify(f).includes("for Ben only")));
      const b = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM visitor_messages WHERE conversation_id = $1 AND kind = 'visitor'",
        [B.id],
      );
      assert.equal(b[0].n, 1, "only Ben's own pre-chat message");
      const seen = await db.query<{ s: number }>(
        "SELECT visitor_seen_seq AS s FROM visitor_conversations WHERE id = $1",
        [B.id],
      );
      assert.equal(seen[0].s, 0);
      ws.close();
    } finally {
      gw.stop();
      await server.shutdown();
    }
  },
);
