/**
 * Calls over real sockets: ringing reaches every tab of the person called and stops on all of them when one
 * answers; signaling goes only to the peer's socket in the call; decline, missed after the (short) ring
 * timeout, hang up and the record in the conversation; rejoin after a reconnect; and the refusals: a
 * non-member or someone from another workspace cannot ring, join, signal or see the call, bad signaling is
 * rejected and nothing changes, signaling is rate limited, a group larger than the mesh limit cannot call.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import { turnCredential } from "../../../domain/call_ice.ts";
import { serverTest, type TestServer, until, WsClient } from "../helpers.ts";
import type { Fixture } from "../../helpers/fixture.ts";

type Name = keyof Fixture["users"];
const env = { CALL_RING_TIMEOUT_MS: "1500", RATE_CALL_SIGNALS_PER_MINUTE: "40" };

async function connect(t: TestServer, name: Name) {
  const c = await WsClient.open(t.url, await t.token(name));
  await c.ok("hello", {});
  return c;
}

const callOf = (id: number) => (f: { type: string; call?: { id: number } }) =>
  f.type === "call_updated" && f.call?.id === id;

async function dm(t: TestServer) {
  return (await channels.openDirect(t.f.deps, t.f.actor("alice"), { userId: t.f.users.bob.id })).id;
}

serverTest(
  "a call rings every tab, stops on all when answered, relays signaling, and leaves a record",
  async (t) => {
    const { f } = t;
    const channelId = await dm(t);
    const alice = await connect(t, "alice");
    const bob1 = await connect(t, "bob");
    const bob2 = await connect(t, "bob");
    const carol = await connect(t, "carol");

    const started = await alice.ok("call_start", { channelId, media: "video" });
    const id = started.call.id;
    assert.equal(started.call.state, "ringing");
    assert.equal(started.connectionId, alice.ready!.connectionId);
    for (const b of [bob1, bob2]) {
      const ring = await b.waitFor(callOf(id));
      const me = ring.call.participants.find((p: { userId: number }) => p.userId === f.users.bob.id);
      assert.equal(me.state, "ringing");
    }
    // A second start in the same conversation is told to join the first.
    const again = await bob1.fails("call_start", { channelId, media: "audio" });
    assert.equal(again.code, "call_in_progress");

    const from = bob2.frames.length;
    const joined = await bob1.ok("call_join", { callId: id });
    assert.deepEqual(joined.peers, [f.users.alice.id]);
    assert.equal(joined.call.state, "active");
    // The other tab learns that bob answered elsewhere: it stops ringing.
    const other = await bob2.waitFor(callOf(id), { from });
    const bobThere = other.call.participants.find((p: { userId: number }) => p.userId === f.users.bob.id);
    assert.equal(bobThere.state, "joined");
    assert.equal(bobThere.connectionId, bob1.ready!.connectionId);
    assert.notEqual(bobThere.connectionId, bob2.ready!.connectionId);

    // Signaling reaches only the peer's socket in the call.
    const bob2Before = bob2.of("call_signal").length;
    await bob1.ok("call_signal", {
      callId: id,
      toUserId: f.users.alice.id,
      signal: { kind: "offer", sdp: "v=0 x" },
    });
    const sig = await alice.waitFor((x) => x.type === "call_signal");
    assert.deepEqual(sig.signal, { kind: "offer", sdp: "v=0 x" });
    assert.equal(sig.fromUserId, f.users.bob.id);
    await alice.ok("call_signal", {
      callId: id,
      toUserId: f.users.bob.id,
      signal: {
        kind: "ice",
        candidate: { candidate: "candidate:1 1 udp 1 1.2.3.4 5 typ host", sdpMid: "0" },
      },
    });
    await bob1.waitFor((x) => x.type === "call_signal");
    // The tab that is not in the call cannot signal, and never received any.
    assert.equal(
      (await bob2.fails("call_signal", {
        callId: id,
        toUserId: f.users.alice.id,
        signal: { kind: "answer", sdp: "v=0" },
      })).code,
      "not_in_call",
    );
    assert.equal(bob2.of("call_signal").length, bob2Before);
    // Carol is not a member: she saw nothing of the call and can do nothing with it.
    assert.equal(carol.of("call_updated").length, 0);
    assert.equal(carol.of("call_signal").length, 0);

    // Bad signaling is refused with a clear error.
    for (
      const bad of [
        { callId: id, toUserId: f.users.alice.id, signal: { kind: "offer" } },
        { callId: id, toUserId: f.users.alice.id, signal: { kind: "offer", sdp: "x".repeat(40_000) } },
        { callId: id, toUserId: f.users.alice.id, signal: { kind: "bogus" } },
        { callId: "1", toUserId: f.users.alice.id, signal: { kind: "offer", sdp: "x" } },
        { callId: id, toUserId: f.users.alice.id, signal: { kind: "offer", sdp: "x" }, extra: 1 },
      ]
    ) {
      assert.equal(
        (await bob1.fails("call_signal", bad)).code,
        "invalid_input",
        JSON.stringify(bad).slice(0, 80),
      );
    }

    const list = await bob2.ok("call_list");
    assert.deepEqual(list.calls.map((c: { id: number }) => c.id), [id]);

    await new Promise((r) => setTimeout(r, 1100));
    const ended = await alice.ok("call_leave", { callId: id });
    assert.equal(ended.call.state, "ended");
    assert.equal(ended.call.endReason, "completed");
    const rec = await bob2.waitFor((x) => x.type === "message_received" && x.channelId === channelId);
    assert.equal(rec.message.type, "system");
    assert.match(rec.message.body, /^📞 Video call · 0:0\d · started by Alice · joined: Alice, Bob$/);

    // History and rating over REST.
    const h = await fetch(`${t.url}/api/chat/calls/history`, {
      headers: { authorization: `Bearer ${await t.token("bob")}` },
    });
    const hist = await h.json();
    assert.equal(hist.calls[0].id, id);
    assert.equal(hist.calls[0].myState, "left");
    const rated = await fetch(`${t.url}/api/chat/calls/${id}/rating`, {
      method: "POST",
      headers: { authorization: `Bearer ${await t.token("bob")}`, "content-type": "application/json" },
      body: JSON.stringify({ rating: 4 }),
    });
    assert.equal(rated.status, 200);
    await rated.body?.cancel();
    const carolRates = await fetch(`${t.url}/api/chat/calls/${id}/rating`, {
      method: "POST",
      headers: { authorization: `Bearer ${await t.token("carol")}`, "content-type": "application/json" },
      body: JSON.stringify({ rating: 1 }),
    });
    assert.equal(carolRates.status, 404);
    await carolRates.body?.cancel();
    for (const c of [alice, bob1, bob2, carol]) c.close();
  },
  { env },
);

serverTest("declined, missed after the ring timeout, and rejoin from a new socket", async (t) => {
  const { f } = t;
  const channelId = await dm(t);
  const alice = await connect(t, "alice");
  const bob = await connect(t, "bob");

  const a = (await alice.ok("call_start", { channelId, media: "audio" })).call.id;
  await bob.waitFor(callOf(a));
  const d = await bob.ok("call_decline", { callId: a });
  assert.equal(d.call.endReason, "declined");
  const rec1 = await alice.waitFor((x) => x.type === "message_received" && x.channelId === channelId);
  assert.equal(rec1.message.body, "📞 Audio call from Alice · declined by Bob");
  assert.equal((await bob.fails("call_decline", { callId: a })).code, "call_ended");

  const b = (await alice.ok("call_start", { channelId, media: "video" })).call.id;
  const missed = await bob.waitFor((x) => callOf(b)(x) && x.call.state === "ended", { timeoutMs: 8000 });
  assert.equal(missed.call.endReason, "missed");
  assert.equal(
    missed.call.participants.find((p: { userId: number }) => p.userId === f.users.bob.id).state,
    "missed",
  );
  await alice.waitFor((x) =>
    x.type === "message_received" && x.message.body === "📞 Missed video call from Alice"
  );

  // Rejoin: bob's socket drops mid-call and a new one takes his place; signaling follows it.
  const c = (await alice.ok("call_start", { channelId, media: "audio" })).call.id;
  await bob.ok("call_join", { callId: c });
  bob.close();
  const bob2 = await connect(t, "bob");
  const r = await bob2.ok("call_rejoin", { callId: c });
  assert.deepEqual(r.peers, [f.users.alice.id]);
  await alice.ok("call_signal", {
    callId: c,
    toUserId: f.users.bob.id,
    signal: { kind: "offer", sdp: "v=0" },
  });
  await bob2.waitFor((x) => x.type === "call_signal" && x.callId === c);
  await bob2.ok("call_leave", { callId: c });
  alice.close();
  bob2.close();
}, { env });

serverTest("non-members and other workspaces cannot ring, join, signal or see a call", async (t) => {
  const { f } = t;
  const channelId = await dm(t);
  const alice = await connect(t, "alice");
  const carol = await connect(t, "carol");
  const eve = await connect(t, "eve");
  const mod = await connect(t, "mod");

  for (const c of [carol, eve]) {
    assert.equal((await c.fails("call_start", { channelId, media: "audio" })).code, "not_found");
  }
  const id = (await alice.ok("call_start", { channelId, media: "audio" })).call.id;
  for (const c of [carol, eve]) {
    assert.equal((await c.fails("call_join", { callId: id })).code, "not_found");
    assert.equal((await c.fails("call_decline", { callId: id })).code, "not_found");
    assert.equal((await c.fails("call_rejoin", { callId: id })).code, "not_found");
    const s = await c.fails("call_signal", {
      callId: id,
      toUserId: f.users.alice.id,
      signal: { kind: "offer", sdp: "x" },
    });
    assert.equal(s.code, "not_in_call");
    assert.deepEqual((await c.ok("call_list")).calls, []);
  }
  // The call is still ringing, with only alice and bob in it.
  const list = await alice.ok("call_list");
  assert.deepEqual(
    list.calls[0].participants.map((p: { userId: number }) => p.userId).sort(),
    [
      f.users.alice.id,
      f.users.bob.id,
    ].sort(),
  );
  for (const c of [carol, eve, mod]) assert.equal(c.of("call_updated").length, 0);

  // Calls are for DMs and groups; a group larger than the mesh limit cannot call.
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id],
  });
  assert.equal(
    (await alice.fails("call_start", { channelId: general.id, media: "audio" })).code,
    "invalid_input",
  );
  const big = await channels.openGroup(f.deps, f.actor("alice"), {
    userIds: [f.users.bob.id, f.users.carol.id, f.users.mod.id, f.users.admin.id],
  });
  assert.equal(
    (await alice.fails("call_start", { channelId: big.id, media: "audio" })).code,
    "call_too_large",
  );

  // Signaling is rate limited.
  await alice.ok("call_leave", { callId: id });
  for (const c of [alice, carol, eve, mod]) c.close();
}, { env });

serverTest("signaling is rate limited per person", async (t) => {
  const { f } = t;
  const channelId = await dm(t);
  const alice = await connect(t, "alice");
  const bob = await connect(t, "bob");
  const id = (await alice.ok("call_start", { channelId, media: "audio" })).call.id;
  await bob.ok("call_join", { callId: id });
  let limited: { code: string; retryAfter?: number } | null = null;
  for (let i = 0; i < 60 && !limited; i++) {
    const r = await alice.request("call_signal", {
      callId: id,
      toUserId: f.users.bob.id,
      signal: { kind: "ice", candidate: null },
    });
    if (r.type === "error") limited = r.error;
  }
  assert.equal(limited?.code, "rate_limited");
  assert.ok((limited?.retryAfter ?? 0) >= 1);
  await until("the signals before the limit to arrive", () => bob.of("call_signal").length >= 30);
  alice.close();
  bob.close();
}, { env });

serverTest("ICE servers: TURN credentials expire and are derived from the shared secret", async (t) => {
  const res = await fetch(`${t.url}/api/chat/calls/ice`, {
    headers: { authorization: `Bearer ${await t.token("alice")}` },
  });
  const ice = await res.json();
  assert.equal(ice.iceTransportPolicy, "relay");
  assert.deepEqual(ice.iceServers[0], { urls: ["stun:127.0.0.1:3478"] });
  const turn = ice.iceServers[1];
  assert.deepEqual(turn.urls, ["turn:127.0.0.1:3478?transport=udp"]);
  const [exp, user] = turn.username.split(":");
  assert.equal(Number(user), t.f.users.alice.id);
  const ttl = Number(exp) - Date.now() / 1000;
  assert.ok(ttl > 590 && ttl <= 601, `ttl ${ttl}`);
  assert.equal(turn.credential, turnCredential("s3cret", user, Number(exp)).credential);
  assert.ok(!JSON.stringify(ice).includes("s3cret"));
  // the same value openssl computes: printf 1600000000:alice | openssl dgst -sha1 -hmac north -binary | base64
  assert.equal(turnCredential("north", "alice", 1600000000).credential, "gq98pTOhhHaAu0we9aV79kOVVv0=");
}, {
  env: {
    CALL_STUN_URLS: "stun:127.0.0.1:3478",
    CALL_TURN_URLS: "turn:127.0.0.1:3478?transport=udp",
    CALL_TURN_SECRET: "s3cret",
    CALL_TURN_TTL_SECONDS: "600",
    CALL_ICE_POLICY: "relay",
  },
});
