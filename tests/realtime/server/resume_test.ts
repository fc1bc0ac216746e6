/**
 * Resume and gap recovery: a client that drops and comes back with its last sequence per channel gets
 * exactly what it missed, in order, even while others keep writing; one too far behind is told to resync;
 * the `replay` action fills a gap a client detected in live events.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";
import { type Message, SEQUENCED_TYPES, type SequencedEvent } from "../../../realtime/protocol.ts";
import { brief, ChannelStore, dbHistory, serverTest, until, WsClient } from "../helpers.ts";

serverTest("a client that drops and resumes receives exactly the missed events, in order", async (t) => {
  const { f } = t;
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  })).id;
  const bob = f.actor("bob");
  const token = await t.token("alice");
  const store = new ChannelStore([ch]);
  const first = await WsClient.open(t.url, token);
  store.attach(first);
  await first.ok("hello", { channels: store.lastSeqs() });
  const sent: Message[] = [];
  for (let i = 1; i <= 5; i++) {
    sent.push(
      (await messages.send(f.deps, bob, { channelId: ch, clientId: `b${i}`, body: `m${i}` })).message,
    );
  }
  await until("the first five live", () => store.lastSeq(ch) === 5);
  first.close();
  await first.closed;

  // While alice is away: new messages, an edit, reactions, a delete, a thread reply: every kind of event.
  for (let i = 6; i <= 25; i++) {
    await messages.send(f.deps, bob, { channelId: ch, clientId: `b${i}`, body: `m${i}` });
  }
  await messages.edit(f.deps, bob, sent[0].id, { body: "m1, edited" });
  await messages.react(f.deps, bob, sent[1].id, { emoji: "🎉" }, true);
  await messages.react(f.deps, f.actor("mod"), sent[1].id, { emoji: "🎉" }, true);
  await messages.react(f.deps, bob, sent[1].id, { emoji: "🎉" }, false);
  await messages.remove(f.deps, bob, sent[2].id);
  await messages.send(f.deps, bob, { channelId: ch, clientId: "r1", body: "in thread", replyTo: sent[3].id });
  const missedUpTo = 31;

  // She comes back while bob keeps writing: replay and live events meet without a duplicate or a hole.
  const second = await WsClient.open(t.url, token);
  store.attach(second);
  const writer = (async () => {
    for (let i = 0; i < 15; i++) {
      await messages.send(f.deps, bob, { channelId: ch, clientId: `late${i}`, body: `late ${i}` });
    }
  })();
  const mark = second.frames.length;
  const hello = await second.ok("hello", { channels: store.lastSeqs() });
  await writer;
  assert.ok(hello.replayed >= missedUpTo - 5, `replayed ${hello.replayed}`);
  await until("everything", () => store.lastSeq(ch) === missedUpTo + 15);
  const seqs = second.frames.slice(mark).filter((x) => SEQUENCED_TYPES.has(x.type as never)).map((x) =>
    x.seq
  );
  assert.deepEqual(seqs, Array.from({ length: missedUpTo + 10 }, (_, i) => i + 6), "6.. exactly once each");
  assert.equal(store.duplicates, 0);
  assert.equal(store.gapReplays, 0, "no gap needed filling");
  assert.deepEqual(brief(store.messages(ch)), await dbHistory(f.deps.db, ch));
  const edited = store.messages(ch).find((m) => m.id === sent[0].id)!;
  assert.equal(edited.body, "m1, edited");
  assert.deepEqual(store.messages(ch).find((m) => m.id === sent[1].id)!.reactions, [
    { emoji: "🎉", userIds: [f.users.mod.id] },
  ]);
  assert.ok(store.messages(ch).find((m) => m.id === sent[2].id)!.deletedAt);
  assert.equal(store.messages(ch).find((m) => m.id === sent[3].id)!.replyCount, 1);
  second.close();
});

serverTest(
  "a client further behind than the replay limit is told to resync, then catches up by pages",
  async (t) => {
    const { f } = t;
    const ch =
      (await channels.create(f.deps, f.actor("mod"), { name: "general", memberIds: [f.users.bob.id] })).id;
    const near =
      (await channels.create(f.deps, f.actor("mod"), { name: "near", memberIds: [f.users.bob.id] })).id;
    for (let i = 1; i <= 12; i++) {
      await messages.send(f.deps, f.actor("mod"), { channelId: ch, clientId: `m${i}`, body: `m${i}` });
    }
    await messages.send(f.deps, f.actor("mod"), { channelId: near, clientId: "n1", body: "n1" });
    const token = await t.token("bob");
    const c = await WsClient.open(t.url, token);
    const hello = await c.ok("hello", { channels: { [ch]: 2, [near]: 0 } });
    assert.deepEqual(hello.resync, [ch]);
    assert.equal(hello.replayed, 1, "the channel within the limit is replayed");
    assert.deepEqual(c.of("resync_required"), [{
      type: "resync_required",
      channelId: ch,
      reason: "too far behind",
    }]);
    assert.deepEqual(c.of("message_received").map((e) => e.channelId), [near]);
    // Exactly at the limit is still a replay; one past it is a resync.
    assert.equal((await c.ok("replay", { channelId: ch, afterSeq: 7 })).events.length, 5);
    assert.deepEqual(await c.ok("replay", { channelId: ch, afterSeq: 6 }), { channelId: ch, resync: true });
    // Resync: the newest page over REST, whose lastSeq the client resumes from.
    const res = await fetch(`${t.url}/api/chat/channels/${ch}/messages?limit=50`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = await res.json();
    assert.equal(page.messages.length, 12);
    assert.equal(page.lastSeq, 12);
    const again = await c.ok("hello", { channels: { [ch]: page.lastSeq } });
    assert.deepEqual(again, { ...again, replayed: 0, resync: [] });
    await messages.send(f.deps, f.actor("mod"), { channelId: ch, clientId: "m13", body: "m13" });
    await c.waitFor((e) => e.type === "message_received" && e.seq === 13);
    // A client ahead of the channel (its state is from a database since restored) must resync too, or it
    // would take the next events for ones it already has.
    assert.deepEqual((await c.ok("hello", { channels: { [near]: 40 } })).resync, [near]);
    assert.deepEqual(await c.ok("replay", { channelId: near, afterSeq: 2 }), {
      channelId: near,
      resync: true,
    });
    await messages.send(f.deps, f.actor("mod"), { channelId: near, clientId: "n2", body: "n2" });
    await c.waitFor((e) => e.type === "message_received" && e.channelId === near && e.seq === 2);
    c.close();
  },
  { env: { WS_REPLAY_LIMIT: "5" } },
);

serverTest("gap detection: replay returns exactly the events after the client's last sequence", async (t) => {
  const { f } = t;
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  })).id;
  const c = await WsClient.open(t.url, await t.token("alice"));
  await c.ok("hello", { channels: { [ch]: 0 } });
  for (let i = 1; i <= 8; i++) {
    await messages.send(f.deps, f.actor("bob"), { channelId: ch, clientId: `m${i}`, body: `m${i}` });
  }
  await c.waitFor((e) => e.type === "message_received" && e.seq === 8);
  // A client that lost 4..6 (say its tab was frozen) asks from the last contiguous one it has.
  const store = new ChannelStore([ch]);
  for (const e of c.of("message_received").filter((e) => e.seq < 4 || e.seq > 6)) {
    store.receive(e as unknown as SequencedEvent, false);
  }
  assert.equal(store.lastSeq(ch), 3);
  const r = await c.ok("replay", { channelId: ch, afterSeq: 3 });
  assert.deepEqual(r.events.map((e: SequencedEvent) => e.seq), [4, 5, 6, 7, 8]);
  store.applyReplay(r.events);
  assert.deepEqual(brief(store.messages(ch)), await dbHistory(f.deps.db, ch));
  assert.deepEqual((await c.ok("replay", { channelId: ch, afterSeq: 8 })).events, []);
  c.close();
});

serverTest("hello ignores channels the user is not in: nothing leaks through a resume", async (t) => {
  const { f } = t;
  const secret = (await channels.create(f.deps, f.actor("mod"), {
    name: "secret",
    kind: "private_channel",
    memberIds: [f.users.alice.id],
  })).id;
  await messages.send(f.deps, f.actor("alice"), { channelId: secret, clientId: "s1", body: "secret" });
  const carol = await WsClient.open(t.url, await t.token("carol"));
  // Malformed channel keys are refused cleanly (the frame schema); the hello itself then ignores what
  // carol may not read.
  assert.equal((await carol.fails("hello", { channels: { "-1": 0, "abc": 0 } })).code, "invalid_input");
  const h = await carol.ok("hello", { channels: { [secret]: 0, "99999": 0 } });
  assert.equal(h.replayed, 0);
  assert.equal(carol.of("message_received").length, 0);
  assert.equal((await carol.fails("replay", { channelId: secret, afterSeq: 0 })).code, "not_found");
  carol.close();
});
