/** /api/chat channels, members, DMs and groups over HTTP: the happy paths, checked against the documented shapes. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import * as R from "../../../routes/api/response_schemas.ts";
import { expectBody, httpFixture } from "../http.ts";
import { world } from "../world.ts";

const ch = "/api/chat/channels";

dbTest("list, browse, create, read, update, archive and delete channels", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const mine = expectBody(await h.call("GET", ch, { as: "alice" }), 200, R.ChannelsResponse).channels;
  assert.deepEqual(mine.map((c) => c.displayName).sort(), ["# general", "# secret", "Bob"]);
  const browse = expectBody(
    await h.call("GET", `${ch}/browse?q=GEN&limit=5`, { as: "carol" }),
    200,
    R.ChannelsResponse,
  );
  assert.deepEqual(browse.channels.map((c) => [c.name, c.myRole]), [["general", null]]);
  assert.equal((await h.call("GET", `${ch}/browse?limit=0`, { as: "carol" })).status, 400);

  const created = await h.call("POST", ch, {
    as: "mod",
    body: { name: "Design", description: "Pixels", memberIds: [w.users.carol] },
  });
  const c = expectBody(created, 201, R.ChannelResponse).channel;
  assert.deepEqual([c.name, c.description, c.myRole, c.memberCount], ["design", "Pixels", "owner", 2]);
  assert.equal((await h.call("POST", ch, { as: "mod", body: { name: "design" } })).status, 409);
  assert.equal((await h.call("POST", ch, { as: "alice", body: { name: "mine" } })).status, 403);

  expectBody(await h.call("GET", `${ch}/${c.id}`, { as: "carol" }), 200, R.ChannelResponse);
  const patched = await h.call("PATCH", `${ch}/${c.id}`, {
    as: "mod",
    body: { readOnly: true, name: "design-team" },
  });
  assert.deepEqual(
    [expectBody(patched, 200, R.ChannelResponse).channel.readOnly, patched.json.channel.name],
    [true, "design-team"],
  );
  const archived = expectBody(
    await h.call("POST", `${ch}/${c.id}/archive`, { as: "mod" }),
    200,
    R.ChannelResponse,
  );
  assert.equal(archived.channel.archived, true);
  const back = expectBody(
    await h.call("POST", `${ch}/${c.id}/unarchive`, { as: "mod" }),
    200,
    R.ChannelResponse,
  );
  assert.equal(back.channel.archived, false);
  assert.equal((await h.call("DELETE", `${ch}/${c.id}`, { as: "mod" })).status, 403);
  expectBody(await h.call("DELETE", `${ch}/${c.id}`, { as: "admin" }), 200, R.Ok);
  assert.equal((await h.call("GET", `${ch}/${c.id}`, { as: "mod" })).status, 404);
});

dbTest("join and leave", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const joined = expectBody(
    await h.call("POST", `${ch}/${w.general}/join`, { as: "carol" }),
    200,
    R.ChannelResponse,
  );
  assert.equal(joined.channel.myRole, "member");
  expectBody(await h.call("POST", `${ch}/${w.general}/leave`, { as: "carol" }), 200, R.Ok);
  assert.equal((await h.call("POST", `${ch}/${w.general}/leave`, { as: "carol" })).status, 400);
  assert.equal((await h.call("POST", `${ch}/${w.secret}/join`, { as: "carol" })).status, 404);
});

dbTest("members: list, add, change role, block, unblock, remove", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const base = `${ch}/${w.general}/members`;
  const list = expectBody(await h.call("GET", base, { as: "bob" }), 200, R.MembersResponse).members;
  assert.deepEqual(list.map((m) => m.username), ["mod", "alice", "bob"]);
  const added = expectBody(
    await h.call("POST", base, { as: "mod", body: { userIds: [w.users.carol] } }),
    200,
    R.MembersResponse,
  );
  assert.equal(added.members.length, 4);
  const role = await h.call("PATCH", `${base}/${w.users.bob}`, { as: "mod", body: { role: "moderator" } });
  assert.equal(
    expectBody(role, 200, R.MembersResponse).members.find((m) => m.id === w.users.bob)?.role,
    "moderator",
  );
  const blocked = expectBody(
    await h.call("POST", `${base}/${w.users.carol}/block`, { as: "bob" }),
    200,
    R.MembersResponse,
  );
  assert.equal(blocked.members.find((m) => m.id === w.users.carol)?.canPost, false);
  const post = await h.call("POST", `${ch}/${w.general}/messages`, {
    as: "carol",
    body: { clientId: "c", body: "hi" },
  });
  assert.equal(post.status, 403);
  assert.equal(post.json.error.code, "blocked");
  const unblocked = expectBody(
    await h.call("POST", `${base}/${w.users.carol}/unblock`, { as: "bob" }),
    200,
    R.MembersResponse,
  );
  assert.equal(unblocked.members.find((m) => m.id === w.users.carol)?.canPost, true);
  expectBody(await h.call("DELETE", `${base}/${w.users.carol}`, { as: "mod" }), 200, R.Ok);
  assert.equal((await h.call("DELETE", `${base}/${w.users.carol}`, { as: "mod" })).status, 404);
  // Members may add people to a public channel; only moderators to a private one.
  const secret = `${ch}/${w.secret}/members`;
  assert.equal(
    (await h.call("POST", secret, { as: "alice", body: { userIds: [w.users.carol] } })).status,
    403,
  );
});

dbTest("direct messages are one per pair; groups need three people", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const a = expectBody(
    await h.call("POST", "/api/chat/direct", { as: "alice", body: { userId: w.users.bob } }),
    200,
    R.ChannelResponse,
  );
  const b = expectBody(
    await h.call("POST", "/api/chat/direct", { as: "bob", body: { userId: w.users.alice } }),
    200,
    R.ChannelResponse,
  );
  assert.equal(a.channel.id, w.dm);
  assert.equal(b.channel.id, w.dm);
  assert.equal(a.channel.displayName, "Bob");
  assert.deepEqual(a.channel.members?.map((m) => m.username).sort(), ["alice", "bob"]);
  assert.equal(
    (await h.call("POST", "/api/chat/direct", { as: "alice", body: { userId: w.users.eve } })).status,
    400,
  );
  const g = await h.call("POST", "/api/chat/groups", {
    as: "alice",
    body: { userIds: [w.users.bob, w.users.carol] },
  });
  assert.equal(expectBody(g, 201, R.ChannelResponse).channel.displayName, "Bob & Carol");
  const two = await h.call("POST", "/api/chat/groups", { as: "alice", body: { userIds: [w.users.bob] } });
  assert.equal(two.status, 400);
});
