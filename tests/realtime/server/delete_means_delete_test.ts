/**
 * Delete means delete, an edit replaces (issue 9, item 1): after messages are deleted (by their author and
 * by a moderator) and edited, no path that returns message content gives back a deleted message's text,
 * mentions or reactions, or an edited message's earlier text — REST history (newest, around, after), one
 * message, thread views, WebSocket `replay` and `hello` resume — read by a member and by a non-member of
 * the public channel. Replayed events applied by the client reducer give the current state.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";
import { applyEvent, type ChatState, type Message, type SequencedEvent } from "../../../realtime/protocol.ts";
import { serverTest, WsClient } from "../helpers.ts";

const GONE = ["SECRET-A", "SECRET-R", "SECRET-C", "DRAFT-B", "🎉"];

function assertClean(where: string, value: unknown) {
  const text = JSON.stringify(value);
  for (const g of GONE) assert.ok(!text.includes(g), `${where}: ${g} came back in ${text.slice(0, 400)}`);
}

serverTest("deleted and edited messages show only their current state on every read path", async (t) => {
  const { f } = t;
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  })).id;
  const alice = f.actor("alice");
  const bob = f.actor("bob");
  const send = async (who: typeof alice, clientId: string, body: string, replyTo?: number) =>
    (await messages.send(f.deps, who, { channelId: ch, clientId, body, replyTo })).message;

  const a = await send(alice, "a", "SECRET-A for @bob");
  assert.deepEqual(a.mentions, [f.users.bob.id]);
  await messages.react(f.deps, bob, a.id, { emoji: "🎉" }, true);
  const b = await send(alice, "b", "DRAFT-B");
  await messages.edit(f.deps, alice, b.id, { body: "FINAL-B" });
  const parent = await send(alice, "p", "PARENT");
  const reply = await send(bob, "r", "SECRET-R in the thread", parent.id);
  const c = await send(bob, "c", "SECRET-C");
  await messages.remove(f.deps, f.actor("mod"), a.id); // a moderator's deletion
  await messages.remove(f.deps, bob, reply.id); // the author's own
  await messages.remove(f.deps, bob, c.id);
  await send(alice, "z", "the end");

  const check = (where: string, list: Message[]) => {
    assertClean(where, list);
    for (const m of list) {
      if (m.id === a.id || m.id === reply.id || m.id === c.id) {
        assert.deepEqual([m.body, m.mentions, m.reactions], ["", [], []], `${where}: ${m.id}`);
        assert.ok(m.deletedAt, `${where}: ${m.id} is a placeholder`);
      }
      if (m.id === b.id) assert.equal(m.body, "FINAL-B", where);
    }
  };

  for (const who of ["bob", "carol"] as const) { // a member, and a non-member of the public channel
    const token = await t.token(who);
    const get = async (path: string) => {
      const r = await fetch(`${t.url}/api/chat${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200, `${who} ${path}`);
      return await r.json();
    };
    const newest = await get(`/channels/${ch}/messages`);
    assert.equal(newest.messages.length, 5, "placeholders stay in history");
    check(`${who} history`, newest.messages);
    check(`${who} around`, (await get(`/channels/${ch}/messages?around=${a.id}&limit=10`)).messages);
    check(`${who} after`, (await get(`/channels/${ch}/messages?after=0`)).messages);
    check(`${who} before`, (await get(`/channels/${ch}/messages?before=${c.id + 10}`)).messages);
    for (const id of [a.id, b.id, c.id, reply.id]) {
      check(`${who} message ${id}`, [(await get(`/messages/${id}`)).message]);
    }
    const thread = await get(`/messages/${parent.id}/thread`);
    check(`${who} thread`, [thread.parent, ...thread.replies]);
    assert.equal(thread.replies.length, 1);

    // WebSocket replay from the start: every event, each built from the current row.
    const ws = await WsClient.open(t.url, token);
    try {
      await ws.ok("hello", { channels: { [ch]: 0 } });
      const r = await ws.ok("replay", { channelId: ch, afterSeq: 0 });
      const events = r.events as SequencedEvent[];
      assert.ok(events.length >= 10, `${events.length} events`);
      assertClean(`${who} replay`, events);
      assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), "gap-free, in order");
      let state: ChatState = { [ch]: { lastSeq: 0, messages: [] } };
      for (const e of events) state = applyEvent(state, e);
      const top = state[ch].messages.filter((m) => m.replyTo === null);
      check(`${who} replayed state`, state[ch].messages);
      assert.deepEqual(
        top.map((m) => [m.id, m.body, m.replyCount]),
        newest.messages.map((m: Message) => [m.id, m.body, m.replyCount]),
        "replay ends in the state history shows",
      );
    } finally {
      ws.close();
    }
  }

  // hello resume (channels of one's own): the member gets the missed events, built the same way.
  const ws = await WsClient.open(t.url, await t.token("bob"));
  try {
    const mark = ws.frames.length;
    const hello = await ws.ok("hello", { channels: { [ch]: 0 } });
    assert.ok(hello.replayed >= 10);
    const replayed = ws.frames.slice(mark).filter((x) => typeof x.seq === "number");
    assert.equal(replayed.length, hello.replayed);
    assertClean("hello resume", replayed);
  } finally {
    ws.close();
  }
});
