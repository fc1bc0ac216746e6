/**
 * `visitor_send` on the staff socket: an agent's reply or note in a visitor conversation, with the same
 * rules as `POST /api/visitors/conversations/:id/messages` (domain/visitor/chat.ts `agentSend`). The holder
 * replies and the visitor's socket gets it; everyone else is refused and nothing changes: a colleague who
 * does not hold it, a member without the permission, someone of another workspace, a conversation of
 * another workspace, a reply after the chat ended (a note is still allowed), a malformed frame.
 */
import assert from "node:assert/strict";
import * as usersRepo from "../../../db/repos/users.ts";
import { actorFromUser } from "../../../domain/auth.ts";
import * as lifecycle from "../../../domain/visitor/lifecycle.ts";
import * as routing from "../../../domain/visitor/routing.ts";
import * as staff from "../../../domain/visitor/staff.ts";
import { newToken } from "../../../islands/visitor/client.ts";
import { serverTest, type TestServer, until, WsClient } from "../helpers.ts";

type Name = "alice" | "bob" | "carol" | "eve";

/**
 * Connects `name` and waits for the connection's row: a hello that asks for no presence does not wait for it
 * (rows are written in groups), and an agent counts as online only once it is stored.
 */
async function connect(t: TestServer, name: Name) {
  const c = await WsClient.open(t.url, await t.token(name));
  await c.ok("hello", { channels: {} });
  await until(
    `${name}'s connection row`,
    async () =>
      (await t.f.deps.db.query("SELECT 1 FROM connections WHERE user_id = $1", [t.f.users[name].id])).length,
  );
  return c;
}

/** Alice holds Ann's chat in the fixture workspace; eve holds Eddie's in hers. */
async function world(t: TestServer) {
  const { f } = t;
  const db = f.deps.db;
  await db.query(
    "UPDATE users SET permissions = '{chat.public_queue}' WHERE username IN ('alice', 'bob', 'eve')",
  );
  const actor = async (n: Name) =>
    actorFromUser((await usersRepo.byId(db, f.users[n].workspaceId, f.users[n].id))!, null);
  // Online (their sockets) and available, so the workspaces take chats.
  const sockets = Object.fromEntries(
    await Promise.all((["alice", "bob", "carol", "eve"] as const).map(async (n) => [n, await connect(t, n)])),
  ) as Record<Name, WsClient>;
  for (const n of ["alice", "eve"] as const) {
    await routing.setAvailability(f.deps, await actor(n), { available: true });
  }
  const chat = async (n: Name, name: string) => {
    const token = newToken();
    const r = await lifecycle.start(f.deps, f.users[n].workspaceId, { token, name, formMs: 5000 }, {
      ip: "10.0.0.9",
      userAgent: "test",
    });
    await f.deps.background.idle();
    await routing.claim(f.deps, await actor(n), r.conversation.id).catch(() => {}); // unless assigned already
    return { token, id: r.conversation.id as number };
  };
  return { sockets, actor, ann: await chat("alice", "Ann"), eddie: await chat("eve", "Eddie") };
}

const messagesOf = async (t: TestServer, id: number) =>
  await t.f.deps.db.query<{ kind: string; body: string; author_id: number | null }>(
    "SELECT kind, body, author_id FROM visitor_messages WHERE conversation_id = $1 ORDER BY seq",
    [id],
  );

serverTest("visitor_send: the holder replies and notes over the staff socket", async (t) => {
  const { sockets, ann } = await world(t);
  const reply = await sockets.alice.ok("visitor_send", {
    conversationId: ann.id,
    clientId: "r1",
    body: "Hello Ann",
  });
  assert.equal(reply.message.kind, "agent");
  assert.equal(reply.message.body, "Hello Ann");
  assert.equal(reply.message.conversationId, ann.id);
  // The holder's own socket gets the event (as with the REST endpoint); a retry returns the stored message.
  await until(
    "the reply event",
    () => sockets.alice.of("visitor_message").some((e) => e.message.id === reply.message.id),
  );
  const again = await sockets.alice.ok("visitor_send", {
    conversationId: ann.id,
    clientId: "r1",
    body: "Hello Ann",
  });
  assert.equal(again.message.id, reply.message.id);
  const note = await sockets.alice.ok("visitor_send", {
    conversationId: ann.id,
    clientId: "n1",
    body: "VIP customer",
    note: true,
  });
  assert.equal(note.message.kind, "note");
  const mine = (await messagesOf(t, ann.id)).filter((m) => m.author_id === t.f.users.alice.id);
  assert.deepEqual(mine.map((m) => [m.kind, m.body]), [["agent", "Hello Ann"], ["note", "VIP customer"]]);
  // Colleagues without the chat see none of it.
  assert.ok(
    !sockets.bob.of("visitor_message").some((e) =>
      e.conversationId === ann.id && e.message.kind !== "system"
    ),
  );
  for (const s of Object.values(sockets)) s.close();
});

serverTest("visitor_send refuses everyone but the holder, and a reply after the end", async (t) => {
  const { f } = t;
  const { sockets, actor, ann, eddie } = await world(t);
  const before = JSON.stringify([await messagesOf(t, ann.id), await messagesOf(t, eddie.id)]);
  const send = (n: Name, conversationId: number, extra: Record<string, unknown> = {}) =>
    sockets[n].fails("visitor_send", { conversationId, clientId: `x-${n}`, body: "hi", ...extra });
  // Bob may answer visitors, but does not hold Ann's chat.
  assert.equal((await send("bob", ann.id)).code, "forbidden");
  assert.equal((await send("bob", ann.id, { note: true })).code, "forbidden");
  // Carol lacks chat.public_queue.
  assert.equal((await send("carol", ann.id)).code, "forbidden");
  // Eve (another workspace, holding a chat of her own) cannot find Ann's chat; Alice cannot find Eddie's.
  assert.equal((await send("eve", ann.id)).code, "not_found");
  assert.equal((await send("alice", eddie.id)).code, "not_found");
  assert.equal((await send("alice", eddie.id, { note: true })).code, "not_found");
  // Malformed frames and values.
  assert.equal((await send("alice", ann.id, { body: "   " })).code, "invalid_input");
  assert.equal((await send("alice", ann.id, { clientId: 5 })).code, "invalid_input");
  assert.equal((await send("alice", 0)).code, "not_found");
  assert.equal(
    (await sockets.alice.fails("visitor_send", { conversationId: String(ann.id), clientId: "s", body: "hi" }))
      .code,
    "invalid_input",
  );
  assert.equal(
    (await sockets.alice.fails("visitor_send", {
      conversationId: ann.id,
      clientId: "s",
      body: "x",
      extra: 1,
    }))
      .code,
    "invalid_input",
  );
  assert.equal(JSON.stringify([await messagesOf(t, ann.id), await messagesOf(t, eddie.id)]), before);
  // After the end: no reply, but a note.
  await staff.endByAgent(f.deps, await actor("alice"), ann.id);
  const ended = JSON.stringify(await messagesOf(t, ann.id));
  assert.equal((await send("alice", ann.id)).code, "conflict");
  assert.equal(JSON.stringify(await messagesOf(t, ann.id)), ended);
  const note = await sockets.alice.ok("visitor_send", {
    conversationId: ann.id,
    clientId: "n-after",
    body: "wrap-up",
    note: true,
  });
  assert.equal(note.message.kind, "note");
  for (const s of Object.values(sockets)) s.close();
});

/** The visitor's own socket (`/api/visitor/ws`), authenticated with their token; collects what it gets. */
async function visitorSocket(t: TestServer, token: string) {
  const ws = new WebSocket(`${t.url.replace("http", "ws")}/api/visitor/ws`);
  const frames: Record<string, unknown>[] = [];
  ws.onmessage = (e) => frames.push(JSON.parse(e.data));
  await new Promise((r) => (ws.onopen = r));
  ws.send(JSON.stringify({ id: "auth", action: "auth", token }));
  await until("the visitor's auth", () => frames.some((f) => f.id === "auth" && f.data));
  return { frames, close: () => ws.close() };
}

const seenSeq = async (t: TestServer, id: number) =>
  (await t.f.deps.db.query<{ s: number }>(
    "SELECT agent_seen_seq AS s FROM visitor_conversations WHERE id = $1",
    [id],
  ))[0].s;

serverTest("visitor_typing and visitor_seen: the holder's reach the visitor, nobody else's", async (t) => {
  const { sockets, ann, eddie } = await world(t);
  const visitor = await visitorSocket(t, ann.token);
  const reply = await sockets.alice.ok("visitor_send", { conversationId: ann.id, clientId: "r", body: "Hi" });
  const seq = reply.message.seq as number;
  const of = (type: string) => visitor.frames.filter((f) => f.type === type);

  assert.deepEqual(await sockets.alice.ok("visitor_typing", { conversationId: ann.id, typing: true }), {
    ok: true,
  });
  await until("the visitor sees the agent typing", () => of("visitor_typing").some((f) => f.typing === true));
  assert.deepEqual(await sockets.alice.ok("visitor_seen", { conversationId: ann.id, seq }), { ok: true });
  await until("the visitor hears the agent has seen", () => of("visitor_seen").some((f) => f.seq === seq));
  assert.equal(await seenSeq(t, ann.id), seq);

  // Refusals: nothing reaches the visitor and the seen position stays.
  const typingBefore = of("visitor_typing").length;
  const seenBefore = of("visitor_seen").length;
  const refused = async (n: Name, action: string, frame: Record<string, unknown>) =>
    (await sockets[n].fails(action, frame)).code;
  for (const action of ["visitor_typing", "visitor_seen"]) {
    const frame = action === "visitor_typing" ? { typing: true } : { seq: seq + 5 };
    assert.equal(await refused("bob", action, { conversationId: ann.id, ...frame }), "forbidden"); // not the holder
    assert.equal(await refused("carol", action, { conversationId: ann.id, ...frame }), "forbidden"); // no permission
    assert.equal(await refused("eve", action, { conversationId: ann.id, ...frame }), "not_found"); // other workspace
    assert.equal(await refused("alice", action, { conversationId: eddie.id, ...frame }), "not_found"); // theirs
    assert.equal(
      await refused("alice", action, { conversationId: String(ann.id), ...frame }),
      "invalid_input",
    );
    assert.equal(
      await refused("alice", action, { conversationId: ann.id, ...frame, extra: 1 }),
      "invalid_input",
    );
  }
  assert.equal(
    await refused("alice", "visitor_typing", { conversationId: ann.id, typing: "yes" }),
    "invalid_input",
  );
  assert.equal(await refused("alice", "visitor_seen", { conversationId: ann.id, seq: -1 }), "invalid_input");
  assert.equal(await refused("alice", "visitor_seen", { conversationId: ann.id, seq: 1.5 }), "invalid_input");
  assert.equal(await seenSeq(t, ann.id), seq);
  // Eddie's holder's seen position did not move either.
  assert.equal(await seenSeq(t, eddie.id), 0);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(of("visitor_typing").length, typingBefore);
  assert.equal(of("visitor_seen").length, seenBefore);
  visitor.close();
  for (const s of Object.values(sockets)) s.close();
});
