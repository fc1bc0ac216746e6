/**
 * `presence_sub` and the hello's `presenceSub` over a real WebSocket: the snapshot comes back in the ack,
 * changes reach only the sockets following the person, another workspace's people are ignored (never
 * leaked), bad input is refused and changes nothing, and closing the socket empties the index.
 */
import assert from "node:assert/strict";
import { ANNOUNCE_WINDOW_MS, MAX_PRESENCE_SUBS } from "../../../domain/presence.ts";
import { type Frame, presenceIn, serverTest, type TestServer, until, WsClient } from "../helpers.ts";

type Name = "alice" | "bob" | "carol" | "eve";

async function connect(t: TestServer, name: Name, hello: Record<string, unknown> = {}) {
  const c = await WsClient.open(t.url, await t.token(name));
  const data = await c.ok("hello", hello);
  return { c, data };
}

const ids = (presence: { userId: number }[]) => presence.map((p) => p.userId);
/** Everyone named in the presence frames a socket received. */
const named = (frames: Frame[]) =>
  new Set(frames.flatMap((f) => f.type === "presence_updated" ? ids(f.users) : []));
const settle = () => new Promise((r) => setTimeout(r, ANNOUNCE_WINDOW_MS * 3));

serverTest("presence_sub: the hello's snapshot, then only followed people's changes", async (t) => {
  const { users } = t.f;
  // bob follows alice and carol, and names eve (another workspace) and nobody: those two are ignored.
  const bob = await connect(t, "bob", {
    presenceSub: [users.alice.id, users.carol.id, users.eve.id, 987654],
  });
  assert.deepEqual(ids(bob.data.presence).sort(), [users.alice.id, users.carol.id].sort());
  assert.ok(bob.data.presence.every((p: { status: string }) => p.status === "offline"));
  assert.deepEqual(
    [...t.server.hub.connectionsOf(users.bob.id)[0].follows].sort(),
    ids(bob.data.presence).sort(),
  );
  // carol follows nobody; eve asks for alice across workspaces and gets nothing.
  const carol = await connect(t, "carol");
  const eve = await connect(t, "eve", { presenceSub: [users.alice.id] });
  assert.deepEqual(eve.data.presence, []);
  assert.equal(t.server.hub.followerCount(users.alice.id), 1);

  const alice = await connect(t, "alice");
  await bob.c.waitFor((f) => presenceIn(f, users.alice.id)?.connections === 1);
  await alice.c.ok("update_presence", { status: "busy", statusText: "Focus" });
  await bob.c.waitFor((f) => presenceIn(f, users.alice.id)?.status === "busy");
  await settle();
  assert.deepEqual([...named(carol.c.frames)], []);
  assert.deepEqual([...named(eve.c.frames)], []);
  assert.deepEqual([...named(alice.c.frames)], []); // alice follows nobody, not even herself
  // bob's frames listed only people he follows.
  for (const id of named(bob.c.frames)) assert.ok([users.alice.id, users.carol.id].includes(id));

  // Replacing the subscription: bob now follows carol only, and alice's next change does not reach him.
  const r = await bob.c.ok("presence_sub", { userIds: [users.carol.id] });
  assert.deepEqual(ids(r.presence), [users.carol.id]);
  assert.deepEqual(r.presence[0].status, "online");
  const mark = bob.c.frames.length;
  await alice.c.ok("update_presence", { status: "away" });
  await settle();
  assert.equal(bob.c.frames.slice(mark).filter((f) => presenceIn(f, users.alice.id)).length, 0);
  // `presence: true` in a later hello: the snapshot of the subscription the socket has.
  assert.deepEqual(ids((await bob.c.ok("hello", { presence: true })).presence), [users.carol.id]);

  // Closing empties the index.
  for (const x of [alice, bob, carol, eve]) x.c.close();
  await until("index emptied", () => t.server.hub.followerCount(users.carol.id) === 0);
  assert.equal(t.server.hub.followerCount(users.alice.id), 0);
});

serverTest("presence_sub: bad input gets invalid_input and leaves the subscription as it was", async (t) => {
  const { users } = t.f;
  const bob = await connect(t, "bob", { presenceSub: [users.alice.id] });
  const tooMany = Array.from({ length: MAX_PRESENCE_SUBS + 1 }, (_, i) => i + 1);
  for (
    const userIds of [
      [users.alice.id, -1],
      [0],
      [1.5],
      ["1"],
      "1,2",
      null,
      tooMany,
    ]
  ) {
    const e = await bob.c.fails("presence_sub", { userIds });
    assert.equal(e.code, "invalid_input", JSON.stringify(userIds));
    assert.ok(e.message.length > 0);
  }
  assert.equal((await bob.c.fails("presence_sub", {})).code, "invalid_input");
  // A hello with a bad list is refused before it does anything: no replay, no counts.
  const mark = bob.c.frames.length;
  assert.equal((await bob.c.fails("hello", { presenceSub: [users.alice.id, 0] })).code, "invalid_input");
  assert.deepEqual(bob.c.frames.slice(mark).map((f) => f.type), ["error"]);
  assert.match((await bob.c.fails("presence_sub", { userIds: tooMany })).message, /at most 500/);
  // Still following alice: her arrival reaches bob.
  assert.deepEqual([...t.server.hub.connectionsOf(users.bob.id)[0].follows], [users.alice.id]);
  const alice = await connect(t, "alice");
  await bob.c.waitFor((f) => presenceIn(f, users.alice.id)?.connections === 1);
  // Repeats are one subscription; an empty list follows nobody.
  assert.deepEqual(
    ids((await bob.c.ok("presence_sub", { userIds: [users.alice.id, users.alice.id] })).presence),
    [
      users.alice.id,
    ],
  );
  assert.deepEqual((await bob.c.ok("presence_sub", { userIds: [] })).presence, []);
  assert.equal(t.server.hub.followerCount(users.alice.id), 0);
  alice.c.close();
  bob.c.close();
});
