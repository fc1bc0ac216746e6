/**
 * Every action of the action table over a real socket, each answered with an ack or an error, and the
 * events they cause reaching exactly their audience: channel members only, never the typing sender's own
 * connection, presence to the workspace, read receipts to the channel and counts to the reader's tabs.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import { GRACE_MS } from "../../../domain/presence.ts";
import { ACTIONS } from "../../../realtime/server/actions.ts";
import { presenceIn, serverTest, type TestServer, until, WsClient } from "../helpers.ts";
import type { Fixture } from "../../helpers/fixture.ts";

type Name = keyof Fixture["users"];

/** Opens a socket as `name` and says hello, as every client does first. */
async function connect(t: TestServer, name: Name, channels: Record<number, number> = {}) {
  const c = await WsClient.open(t.url, await t.token(name));
  await c.ok("hello", { channels });
  return c;
}

/** Two channels: #general (alice, bob, carol) and private #secret (alice, bob). */
async function setup(t: TestServer) {
  const { f } = t;
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id, f.users.carol.id],
  });
  const secret = await channels.create(f.deps, f.actor("mod"), {
    name: "secret",
    kind: "private_channel",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  return { general: general.id, secret: secret.id };
}

serverTest("every action answers with an ack, or an error with a stable code", async (t) => {
  const { f } = t;
  const { general, secret } = await setup(t);
  const lobby = await channels.create(f.deps, f.actor("mod"), { name: "lobby" });
  const alice = await connect(t, "alice");
  const carol = await connect(t, "carol");
  const tested = new Set<string>();
  const ok = async (action: string, fields: Record<string, unknown> = {}, c = alice) => {
    tested.add(action);
    return await c.ok(action, fields);
  };
  const fails = async (code: string, action: string, fields: Record<string, unknown> = {}, c = alice) => {
    const e = await c.fails(action, fields);
    assert.equal(e.code, code, `${action} ${JSON.stringify(fields)}: ${e.message}`);
    assert.equal(typeof e.message, "string");
  };

  assert.equal(typeof (await ok("ping")).pong, "number");

  const sent = await ok("send_message", { channelId: general, clientId: "a1", body: "hello" });
  assert.equal(sent.created, true);
  assert.equal(sent.message.seq, 1);
  assert.equal(sent.message.body, "hello");
  await fails("invalid_input", "send_message", { channelId: general, clientId: "a2", body: "   " });
  await fails("invalid_input", "send_message", { channelId: general, clientId: "a2", body: "x", extra: 1 });
  await fails("conflict", "send_message", { channelId: general, clientId: "a1", body: "not the same" });
  await fails("invalid_input", "send_message", {
    channelId: general,
    clientId: "a4",
    body: "nul \u0000 inside",
  });
  await fails("not_found", "send_message", { channelId: secret, clientId: "c1", body: "let me in" }, carol);

  const edited = await ok("edit_message", { messageId: sent.message.id, body: "hello, edited" });
  assert.equal(edited.message.body, "hello, edited");
  assert.ok(edited.message.editedAt);
  await fails("forbidden", "edit_message", { messageId: sent.message.id, body: "mine now" }, carol);
  await fails("invalid_input", "edit_message", { messageId: -1, body: "x" });

  assert.deepEqual(await ok("add_reaction", { messageId: sent.message.id, emoji: "👍" }), { ok: true });
  await fails("invalid_input", "add_reaction", { messageId: sent.message.id, emoji: "<script>" });
  assert.deepEqual(await ok("remove_reaction", { messageId: sent.message.id, emoji: "👍" }), { ok: true });
  await fails("not_found", "remove_reaction", { messageId: 999_999, emoji: "👍" });

  const gone = await ok("send_message", { channelId: general, clientId: "a3", body: "oops" });
  assert.deepEqual(await ok("delete_message", { messageId: gone.message.id }), { ok: true });
  await fails("forbidden", "delete_message", { messageId: sent.message.id }, carol);
  await fails("invalid_input", "delete_message", { messageId: "1" });

  const joined = await ok("join_channel", { channelId: lobby.id });
  assert.equal(joined.channel.id, lobby.id);
  assert.equal(joined.channel.myRole, "member");
  await fails("not_found", "join_channel", { channelId: secret }, carol);
  assert.deepEqual(await ok("leave_channel", { channelId: lobby.id }), { ok: true });
  await fails("not_member", "leave_channel", { channelId: lobby.id });

  assert.deepEqual(await ok("typing_start", { channelId: general }), { ok: true });
  assert.deepEqual(await ok("typing_stop", { channelId: general }), { ok: true });
  await fails("not_found", "typing_start", { channelId: secret }, carol);
  await fails("invalid_input", "typing_stop", { channelId: null });

  const p = await ok("update_presence", { status: "away", awayMessage: "Away until 3 PM", page: "/chat" });
  assert.deepEqual(p, {
    userId: f.users.alice.id,
    status: "away",
    statusText: "",
    awayMessage: "Away until 3 PM",
    connections: 1,
  });
  await fails("invalid_input", "update_presence", { status: "invisible" });

  const prefs = await ok("update_preferences", { preferences: { theme: "dark", tsFormat: "absolute" } });
  assert.deepEqual([prefs.preferences.theme, prefs.preferences.tsFormat], ["dark", "absolute"]);
  await fails("invalid_input", "update_preferences", { preferences: { theme: "purple" } });
  await fails("invalid_input", "update_preferences", { preferences: "dark" });

  assert.deepEqual(await ok("message_read", { channelId: general, seq: 3 }, carol), { lastReadSeq: 3 });
  await fails("invalid_input", "message_read", { channelId: general, seq: -1 });
  await fails("not_found", "message_read", { channelId: secret, seq: 1 }, carol);

  const r = await ok("replay", { channelId: general, afterSeq: 0 });
  assert.deepEqual(r.events.map((e: { type: string }) => e.type), [
    "message_received",
    "message_updated",
    "reaction_added",
    "reaction_removed",
    "message_received",
    "message_deleted",
  ]);
  await fails("invalid_input", "replay", { channelId: general, afterSeq: 1.5 });
  await fails("not_found", "replay", { channelId: secret, afterSeq: 0 }, carol);

  // Monitor (in depth: monitor_watch_test.ts): holders of chat.monitor_all only.
  const admin = await connect(t, "admin");
  assert.deepEqual(await ok("monitor_watch", { channelId: secret }, admin), { ok: true });
  await fails("forbidden", "monitor_watch", { channelId: secret });
  await fails("invalid_input", "monitor_watch", { channelId: -1 }, admin);
  await fails("not_found", "monitor_watch", { channelId: 987654 }, admin);
  assert.deepEqual(await ok("monitor_unwatch", { channelId: secret }, admin), { ok: true });
  admin.close();

  // Presence subscriptions (in depth: presence_sub_test.ts): people of the workspace, checked input.
  const followed = await ok("presence_sub", { userIds: [f.users.carol.id] });
  assert.deepEqual(followed.presence.map((p: { userId: number }) => p.userId), [f.users.carol.id]);
  await fails("invalid_input", "presence_sub", { userIds: [0] });

  const h = await alice.request("hello", { channels: { [general]: 6 } });
  assert.equal(h.type, "ack");
  tested.add("hello");

  // Call actions (in depth: calls_test.ts): each answers over the socket.
  const dm = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.carol.id });
  const call = (await ok("call_start", { channelId: dm.id, media: "audio" })).call.id;
  assert.equal((await ok("call_list")).calls.length, 1);
  await fails("not_ringing", "call_decline", { callId: call });
  await ok("call_join", { callId: call }, carol);
  await ok("call_signal", {
    callId: call,
    toUserId: f.users.carol.id,
    signal: { kind: "ice", candidate: null },
  });
  await ok("call_rejoin", { callId: call });
  assert.equal((await ok("call_leave", { callId: call })).call.state, "ended");
  const call2 = (await alice.ok("call_start", { channelId: dm.id, media: "audio" })).call.id;
  assert.equal((await ok("call_decline", { callId: call2 }, carol)).call.endReason, "declined");

  // Visitor-chat actions (in depth: visitor_actions_test.ts): alice may not answer visitors.
  await fails("forbidden", "visitor_send", { conversationId: 1, clientId: "v1", body: "hi" });
  await fails("forbidden", "visitor_typing", { conversationId: 1, typing: true });
  await fails("forbidden", "visitor_seen", { conversationId: 1, seq: 1 });
  for (const a of ["visitor_send", "visitor_typing", "visitor_seen"]) tested.add(a);

  // The table has no action this test does not cover.
  for (const action of [...Object.keys(ACTIONS), "hello"]) {
    assert.ok(tested.has(action), `untested: ${action}`);
  }
  alice.close();
  carol.close();
});

serverTest("events of a private channel reach its members only", async (t) => {
  const { general, secret } = await setup(t);
  const alice = await connect(t, "alice");
  const bob = await connect(t, "bob");
  const carol = await connect(t, "carol");
  const eve = await connect(t, "eve");
  const s = await alice.ok("send_message", { channelId: secret, clientId: "s1", body: "private plans" });
  await alice.ok("add_reaction", { messageId: s.message.id, emoji: "🔒" });
  await alice.ok("typing_start", { channelId: secret });
  await alice.ok("message_read", { channelId: secret, seq: 2 });
  await bob.waitFor((f) => f.type === "message_received" && f.message.body === "private plans");
  await bob.waitFor((f) => f.type === "reaction_added" && f.channelId === secret);
  await bob.waitFor((f) => f.type === "user_typing" && f.channelId === secret);
  // A public message afterwards: once carol has it, anything sent to her before it has arrived too.
  await alice.ok("send_message", { channelId: general, clientId: "g1", body: "public" });
  await carol.waitFor((f) => f.type === "message_received" && f.message.body === "public");
  const leaked = carol.frames.filter((f) => f.channelId === secret || f.channel?.id === secret);
  assert.deepEqual(leaked, []);
  assert.equal(JSON.stringify(carol.frames).includes("private plans"), false);
  // eve is in another workspace: nothing of this one reaches her, not even presence she asks for.
  await bob.ok("presence_sub", { userIds: [t.f.users.alice.id] });
  assert.deepEqual((await eve.ok("presence_sub", { userIds: [t.f.users.alice.id] })).presence, []);
  await alice.ok("update_presence", { status: "busy" });
  await bob.waitFor((f) => presenceIn(f, t.f.users.alice.id)?.status === "busy");
  assert.equal(
    eve.of("message_received").length +
      eve.of("presence_updated").flatMap((e) => e.users).filter((p) => p.userId !== t.f.users.eve.id).length,
    0,
  );
  for (const c of [alice, bob, carol, eve]) c.close();
});

serverTest("joining subscribes the connection to live events; leaving stops them", async (t) => {
  const { f } = t;
  const lobby = await channels.create(f.deps, f.actor("mod"), { name: "lobby", memberIds: [f.users.bob.id] });
  const alice = await connect(t, "alice");
  const bob = await connect(t, "bob");
  await bob.ok("send_message", { channelId: lobby.id, clientId: "b0", body: "before alice" });
  await alice.ok("join_channel", { channelId: lobby.id });
  await bob.waitFor((f) => f.type === "user_joined" && f.userId === t.f.users.alice.id);
  await bob.ok("send_message", { channelId: lobby.id, clientId: "b1", body: "welcome" });
  await alice.waitFor((f) => f.type === "message_received" && f.message.body === "welcome");
  assert.equal(alice.frames.some((f) => f.message?.body === "before alice"), false);
  assert.equal(alice.of("user_joined").length, 1, "the joiner is told once");
  await alice.ok("leave_channel", { channelId: lobby.id });
  await bob.waitFor((f) => f.type === "user_left" && f.userId === t.f.users.alice.id);
  assert.equal(alice.of("user_left").length, 1, "the leaver is told once");
  await bob.ok("send_message", { channelId: lobby.id, clientId: "b2", body: "after alice" });
  await alice.ok("ping");
  // Bob's message was published before his ack; alice's later ping ack comes after anything sent to her.
  await alice.ok("ping");
  assert.equal(alice.frames.some((f) => f.message?.body === "after alice"), false);
  alice.close();
  bob.close();
});

serverTest(
  "typing reaches the channel and the typer's other tabs, never the typing connection",
  async (t) => {
    const { general } = await setup(t);
    const tabA = await connect(t, "alice");
    const tabB = await connect(t, "alice");
    const bob = await connect(t, "bob");
    const carol = await connect(t, "carol");
    await tabA.ok("typing_start", { channelId: general });
    await carol.ok("typing_start", { channelId: general });
    const seenByBob = (userId: number, typing: boolean) =>
      bob.waitFor((f) => f.type === "user_typing" && f.userId === userId && f.typing === typing);
    await seenByBob(t.f.users.alice.id, true);
    await seenByBob(t.f.users.carol.id, true);
    await tabB.waitFor((f) => f.type === "user_typing" && f.userId === t.f.users.alice.id);
    await tabA.ok("typing_stop", { channelId: general });
    await seenByBob(t.f.users.alice.id, false);
    // The event is written to every target before the sender's ack, so tabA would have it by now.
    assert.deepEqual(tabA.of("user_typing").filter((f) => f.userId === t.f.users.alice.id), []);
    assert.equal(tabA.of("user_typing").filter((f) => f.userId === t.f.users.carol.id).length, 1);
    // Typing is never stored: nothing in the channel's history or event log.
    const log = await t.f.deps.db.query("SELECT 1 FROM channel_events WHERE channel_id = $1", [general]);
    assert.equal(log.length, 0);
    for (const c of [tabA, tabB, bob, carol]) c.close();
  },
);

serverTest(
  "presence: several tabs are one user with N connections, offline after the last and a grace",
  async (t) => {
    const { f } = t;
    const bob = await connect(t, "bob");
    const aliceId = f.users.alice.id;
    await bob.ok("presence_sub", { userIds: [aliceId] });
    const tab1 = await connect(t, "alice");
    await bob.waitFor((e) => presenceIn(e, aliceId)?.connections === 1);
    const tab2 = await connect(t, "alice");
    await tab2.ok("presence_sub", { userIds: [aliceId] }); // the client follows its own person too
    const two = presenceIn(await bob.waitFor((e) => presenceIn(e, aliceId)?.connections === 2), aliceId);
    assert.equal(two?.status, "online");
    const snap = await bob.ok("hello", { presence: true });
    assert.deepEqual(
      snap.presence.find((p: { userId: number }) => p.userId === aliceId),
      { userId: aliceId, status: "online", statusText: "", awayMessage: "", connections: 2 },
    );
    // Away with a message, seen by everyone in the workspace.
    await tab1.ok("update_presence", { status: "away", statusText: "Lunch", awayMessage: "Away until 3 PM" });
    await bob.waitFor((e) => presenceIn(e, aliceId)?.status === "away");
    await tab2.waitFor((e) => presenceIn(e, aliceId)?.awayMessage === "Away until 3 PM");

    // Both tabs close (a reload, say) and a new one opens within the grace period: never shown offline.
    const mark = bob.frames.length;
    tab1.close();
    await tab1.closed;
    tab2.close();
    await tab2.closed;
    const closedAt = Date.now();
    const tab3 = await connect(t, "alice");
    await bob.waitFor((e) => (presenceIn(e, aliceId)?.connections ?? 0) >= 1, {
      from: mark,
    });
    tab3.close();
    await tab3.closed;
    const lastGone = Date.now();
    const offline = presenceIn(
      await bob.waitFor(
        (e) => presenceIn(e, aliceId)?.status === "offline",
        { from: mark, timeoutMs: GRACE_MS * 4 },
      ),
      aliceId,
    );
    assert.ok(Date.now() - lastGone >= GRACE_MS - 1000, "offline only after the grace period");
    assert.equal(offline?.connections, 0);
    const offlines = bob.frames.slice(mark).filter((e) => presenceIn(e, aliceId)?.status === "offline");
    assert.equal(
      offlines.length,
      1,
      `one offline, after the last tab (first close at +0, ${lastGone - closedAt} ms)`,
    );
    bob.close();
  },
);

serverTest("read receipts go to the conversation; unread counts follow the reader's tabs live", async (t) => {
  const { f } = t;
  const dm = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.bob.id });
  const alice = await connect(t, "alice");
  const bobPhone = await connect(t, "bob");
  for (let i = 1; i <= 3; i++) {
    await alice.ok("send_message", { channelId: dm.id, clientId: `a${i}`, body: `ping ${i} @bob` });
  }
  const bobLaptop = await WsClient.open(t.url, await t.token("bob"));
  const mark = bobLaptop.frames.length;
  await bobLaptop.ok("hello", { channels: { [dm.id]: 0 } });
  const onConnect = bobLaptop.frames.slice(mark).find((e) => e.type === "unread_counts")!;
  assert.deepEqual(onConnect.counts.find((c: { channelId: number }) => c.channelId === dm.id), {
    channelId: dm.id,
    unread: 3,
    mentions: 3,
    lastReadSeq: 0,
  });
  // Bob reads up to 2 on the laptop: alice sees ✓✓ read to 2, his phone's badge drops to 1.
  const phoneMark = bobPhone.frames.length;
  assert.deepEqual(await bobLaptop.ok("message_read", { channelId: dm.id, seq: 2 }), { lastReadSeq: 2 });
  const receipt = await alice.waitFor((e) => e.type === "read_receipt");
  assert.deepEqual(receipt, { type: "read_receipt", channelId: dm.id, userId: f.users.bob.id, seq: 2 });
  const phoneCounts = await bobPhone.waitFor((e) => e.type === "unread_counts", { from: phoneMark });
  assert.deepEqual(phoneCounts.counts, [{ channelId: dm.id, unread: 1, mentions: 1, lastReadSeq: 2 }]);
  // Reading never moves backwards, and reading the same position again publishes nothing.
  assert.deepEqual(await bobLaptop.ok("message_read", { channelId: dm.id, seq: 1 }), { lastReadSeq: 2 });
  await bobLaptop.ok("message_read", { channelId: dm.id, seq: 99 });
  const all = await alice.waitFor((e) => e.type === "read_receipt" && e.seq === 3);
  assert.equal(all.userId, f.users.bob.id);
  await alice.ok("ping");
  assert.deepEqual(alice.of("read_receipt").map((e) => e.seq), [2, 3]);
  // All read: the phone's badge is cleared without the phone doing anything.
  await until(
    "phone counts at zero",
    () =>
      bobPhone.frames.slice(phoneMark).some((e) => e.type === "unread_counts" && e.counts[0]?.unread === 0),
  );
  for (const c of [alice, bobPhone, bobLaptop]) c.close();
});

serverTest("channel_updated reaches the members without anyone's personal fields", async (t) => {
  const { f } = t;
  const { general } = await setup(t);
  const bob = await connect(t, "bob");
  const eve = await connect(t, "eve");
  await channels.update(f.deps, f.actor("mod"), general, { description: "Company-wide chat" });
  const e = await bob.waitFor((x) => x.type === "channel_updated");
  assert.equal(e.channel.id, general);
  assert.equal(e.channel.description, "Company-wide chat");
  for (const k of ["myRole", "canPost", "lastReadSeq", "unread", "mentions"]) {
    assert.equal(k in e.channel, false, k);
  }
  await bob.ok("ping");
  assert.equal(eve.of("channel_updated").length, 0);
  bob.close();
  eve.close();
});
