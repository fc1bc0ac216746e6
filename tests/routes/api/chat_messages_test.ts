/** /api/chat messages over HTTP: idempotent send, limits, history pages, edit, delete, threads, reactions, reads. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as R from "../../../routes/api/response_schemas.ts";
import { expectBody, httpFixture, snapshot } from "../http.ts";
import { world } from "../world.ts";

const ch = "/api/chat/channels";
const msg = "/api/chat/messages";

dbTest("send: 201 once, 200 with the stored message on retry, 409 for other content", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const path = `${ch}/${w.general}/messages`;
  const first = expectBody(
    await h.call("POST", path, { as: "bob", body: { clientId: "k-1", body: "Hi all" } }),
    201,
    R.MessageResponse,
  );
  assert.equal(first.message.body, "Hi all");
  assert.equal(first.message.senderId, w.users.bob);
  const again = expectBody(
    await h.call("POST", path, { as: "bob", body: { clientId: "k-1", body: "Hi all" } }),
    200,
    R.MessageResponse,
  );
  assert.deepEqual(again.message, first.message);
  const before = await snapshot(db);
  const other = await h.call("POST", path, { as: "bob", body: { clientId: "k-1", body: "Something else" } });
  assert.equal(other.status, 409);
  assert.equal(other.json.error.code, "conflict");
  assert.equal(await snapshot(db), before);
  // The channel id comes from the path, whatever the body says.
  const forced = await h.call("POST", path, {
    as: "bob",
    body: { clientId: "k-2", body: "x", channelId: w.secret },
  });
  assert.equal(expectBody(forced, 201, R.MessageResponse).message.channelId, w.general);
});

dbTest("send: 16,000 characters is the limit, with a clear error", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const path = `${ch}/${w.general}/messages`;
  expectBody(
    await h.call("POST", path, { as: "bob", body: { clientId: "max", body: "é".repeat(16_000) } }),
    201,
    R.MessageResponse,
  );
  const before = await snapshot(db);
  const over = await h.call("POST", path, {
    as: "bob",
    body: { clientId: "over", body: "x".repeat(16_001) },
  });
  assert.equal(over.status, 400);
  assert.equal(over.json.error.code, "invalid_input");
  assert.match(over.json.error.message, /body: at most 16000 characters/);
  assert.equal(
    (await h.call("POST", path, { as: "bob", body: { clientId: "empty", body: "  \n " } })).status,
    400,
  );
  assert.equal(await snapshot(db), before);
});

dbTest("history pages over HTTP, with cursors in both directions and around", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const path = `${ch}/${w.general}/messages`;
  const ids = [w.msg];
  for (let i = 2; i <= 6; i++) {
    const r = await h.call("POST", path, { as: "alice", body: { clientId: `h${i}`, body: `m${i}` } });
    ids.push(r.json.message.id);
  }
  const newest = expectBody(await h.call("GET", `${path}?limit=2`, { as: "bob" }), 200, R.HistoryPage);
  assert.deepEqual(newest.messages.map((m) => m.body), ["m5", "m6"]);
  assert.equal(newest.newerCursor, null);
  const older = expectBody(
    await h.call("GET", `${path}?limit=2&before=${newest.olderCursor}`, { as: "bob" }),
    200,
    R.HistoryPage,
  );
  assert.deepEqual(older.messages.map((m) => m.body), ["m3", "m4"]);
  const newer = expectBody(
    await h.call("GET", `${path}?limit=2&after=${older.newerCursor}`, { as: "bob" }),
    200,
    R.HistoryPage,
  );
  assert.deepEqual(newer.messages.map((m) => m.body), ["m5", "m6"]);
  const around = expectBody(
    await h.call("GET", `${path}?limit=3&around=${ids[2]}`, { as: "bob" }),
    200,
    R.HistoryPage,
  );
  assert.ok(around.messages.some((m) => m.id === ids[2]));
  assert.equal((await h.call("GET", `${path}?limit=500`, { as: "bob" })).status, 400);
  assert.equal((await h.call("GET", `${path}?before=abc`, { as: "bob" })).status, 400);
});

dbTest("get, edit, delete (placeholder), thread, reactions, read position", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  expectBody(await h.call("GET", `${msg}/${w.msg}`, { as: "bob" }), 200, R.MessageResponse);
  const edited = expectBody(
    await h.call("PATCH", `${msg}/${w.msg}`, { as: "alice", body: { body: "hello!" } }),
    200,
    R.MessageResponse,
  );
  assert.equal(edited.message.body, "hello!");
  assert.ok(edited.message.editedAt);
  assert.equal((await h.call("PATCH", `${msg}/${w.msg}`, { as: "bob", body: { body: "mine" } })).status, 403);

  const reply = await h.call("POST", `${ch}/${w.general}/messages`, {
    as: "bob",
    body: { clientId: "r1", body: "a reply", replyTo: w.msg },
  });
  expectBody(reply, 201, R.MessageResponse);
  const thread = expectBody(await h.call("GET", `${msg}/${w.msg}/thread`, { as: "alice" }), 200, R.Thread);
  assert.equal(thread.parent.replyCount, 1);
  assert.deepEqual(thread.replies.map((m) => m.body), ["a reply"]);

  const thumbs = encodeURIComponent("👍");
  const reacted = expectBody(
    await h.call("POST", `${msg}/${w.msg}/reactions`, { as: "bob", body: { emoji: "👍" } }),
    200,
    R.MessageResponse,
  );
  assert.deepEqual(reacted.message.reactions, [{ emoji: "👍", userIds: [w.users.bob] }]);
  await h.call("POST", `${msg}/${w.msg}/reactions`, { as: "bob", body: { emoji: "👍" } });
  const once = expectBody(await h.call("GET", `${msg}/${w.msg}`, { as: "bob" }), 200, R.MessageResponse);
  assert.equal(once.message.reactions[0].userIds.length, 1);
  const removed = expectBody(
    await h.call("DELETE", `${msg}/${w.msg}/reactions/${thumbs}`, { as: "bob" }),
    200,
    R.MessageResponse,
  );
  assert.deepEqual(removed.message.reactions, []);

  const read = expectBody(
    await h.call("POST", `${ch}/${w.general}/read`, { as: "bob", body: { seq: 1 } }),
    200,
    R.ReadResponse,
  );
  assert.equal(read.lastReadSeq, 3, "bob's own reply (seq 3) was read already; positions never go back");
  const all = await h.call("POST", `${ch}/${w.general}/read`, { as: "mod", body: { seq: 99 } });
  assert.equal(expectBody(all, 200, R.ReadResponse).lastReadSeq, 5);

  expectBody(await h.call("DELETE", `${msg}/${w.msg}`, { as: "alice" }), 200, R.Ok);
  const gone = expectBody(await h.call("GET", `${msg}/${w.msg}`, { as: "bob" }), 200, R.MessageResponse);
  assert.equal(gone.message.body, "");
  assert.ok(gone.message.deletedAt);
});

dbTest("the README story: alice signs in through the API and posts in #general", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const s = expectBody(
    await h.call("POST", "/api/auth/login", { body: { username: "alice", password: "pw" } }),
    200,
    R.Session,
  );
  const channels = expectBody(await h.call("GET", ch, { token: s.token }), 200, R.ChannelsResponse);
  const general = channels.channels.find((c) => c.name === "general")!;
  assert.equal(general.id, w.general);
  const sent = await h.call("POST", `${ch}/${general.id}/messages`, {
    token: s.token,
    body: { clientId: "story", body: "Hello from the API" },
  });
  expectBody(sent, 201, R.MessageResponse);
  const page = expectBody(
    await h.call("GET", `${ch}/${general.id}/messages`, { as: "bob" }),
    200,
    R.HistoryPage,
  );
  assert.equal(page.messages.at(-1)?.body, "Hello from the API");
});
