/**
 * A message id in a channel one cannot read answers exactly like an id that does not exist (issue 9,
 * item 17): same status, code and message for every operation that takes a message id.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import type { AppError } from "../../domain/errors.ts";

dbTest("errors for unreadable message ids are identical to those for missing ones", async (db) => {
  const f = await fixture(db);
  const priv = await channels.create(f.deps, f.actor("mod"), {
    name: "secret",
    kind: "private_channel",
    memberIds: [f.users.bob.id],
  });
  const open = await channels.create(f.deps, f.actor("mod"), { name: "open", memberIds: [f.users.carol.id] });
  const hidden = (await messages.send(f.deps, f.actor("bob"), {
    channelId: priv.id,
    clientId: "h",
    body: "hidden",
  })).message;
  const dm = await channels.openDirect(f.deps, f.actor("bob"), { userId: f.users.carol.id });
  const inDm =
    (await messages.send(f.deps, f.actor("bob"), { channelId: dm.id, clientId: "d", body: "psst" }))
      .message;
  const missing = 999_999;
  const alice = f.actor("alice");
  const ops: [string, (id: number) => Promise<unknown>][] = [
    ["get", (id) => messages.get(f.deps, alice, id)],
    ["thread", (id) => messages.thread(f.deps, alice, id)],
    ["edit", (id) => messages.edit(f.deps, alice, id, { body: "x" })],
    ["remove", (id) => messages.remove(f.deps, alice, id)],
    ["react", (id) => messages.react(f.deps, alice, id, { emoji: "👍" }, true)],
    ["unreact", (id) => messages.react(f.deps, alice, id, { emoji: "👍" }, false)],
  ];
  const outcome = async (p: Promise<unknown>) => {
    try {
      await p;
      return "succeeded";
    } catch (e) {
      const err = e as AppError;
      return JSON.stringify([err.status, err.code, err.message, err.toJSON?.()]);
    }
  };
  for (const [name, op] of ops) {
    const expected = await outcome(op(missing));
    assert.notEqual(expected, "succeeded");
    for (const id of [hidden.id, inDm.id]) {
      assert.equal(await outcome(op(id)), expected, `${name} on ${id}`);
    }
    // Another workspace's member asking for any of them: the same again.
    const eve = f.actor("eve");
    const eveOp = name === "get" ? (id: number) => messages.get(f.deps, eve, id) : null;
    if (eveOp) assert.equal(await outcome(eveOp(hidden.id)), await outcome(eveOp(missing)));
  }
  // A reply to a message of another channel is refused like a reply to a missing one.
  const reply = (replyTo: number, k: string) =>
    outcome(
      messages.send(f.deps, f.actor("carol"), { channelId: open.id, clientId: k, body: "re", replyTo }),
    );
  assert.equal(await reply(hidden.id, "r1"), await reply(missing, "r2"));
  assert.equal((await messages.get(f.deps, f.actor("bob"), hidden.id)).body, "hidden");
});
