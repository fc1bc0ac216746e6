/**
 * The browser client (`realtime/client.ts`) against a real server, run in Deno with a bearer token and an
 * in-memory Storage: live messages, resume after the server drops every socket, and the outbox sending
 * what was written while offline, once.
 */
import assert from "node:assert/strict";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import { ParleyClient } from "../../realtime/client.ts";
import { brief, dbHistory, serverTest, type TestServer, until } from "./helpers.ts";
import { MemoryStorage } from "../helpers/wait.ts";

async function client(t: TestServer, name: "alice" | "bob", storage = new MemoryStorage()) {
  const c = new ParleyClient({ baseUrl: t.url, token: await t.token(name), storage });
  await c.start();
  await until(`${name} connected`, () => c.status.value === "open");
  return c;
}

serverTest("client: live messages, then a resume after the server dropped every socket", async (t) => {
  const { f } = t;
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  })).id;
  await messages.send(f.deps, f.actor("mod"), { channelId: ch, clientId: "m0", body: "welcome" });
  const alice = await client(t, "alice");
  const bob = await client(t, "bob");
  try {
    await alice.loadLatest(ch);
    await bob.loadLatest(ch);
    const key = alice.send(ch, "hi bob");
    await until("bob sees it", () => bob.chat.value[ch]?.messages.some((m) => m.body === "hi bob"));
    await until("alice's outbox empties", () => alice.outbox.value.length === 0);
    assert.equal(alice.chat.value[ch].messages.find((m) => m.clientId === key)?.seq, 2);

    // Every socket dropped (a deploy, say); bob keeps writing over REST while alice is away.
    t.server.hub.closeAll(1012, "restarting");
    await until("alice notices", () => alice.status.value !== "open");
    for (let i = 0; i < 5; i++) {
      await messages.send(f.deps, f.actor("bob"), {
        channelId: ch,
        clientId: `b${i}`,
        body: `while away ${i}`,
      });
    }
    await until("alice back", () => alice.status.value === "open", 20_000);
    const history = await dbHistory(f.deps.db, ch);
    await until("alice caught up", () => alice.chat.value[ch]?.lastSeq === history.length, 10_000);
    assert.deepEqual(brief(alice.chat.value[ch].messages), history);
  } finally {
    alice.stop();
    bob.stop();
  }
});

serverTest("client: a message written offline is pending, then sent once on reconnect", async (t) => {
  const { f } = t;
  const ch = (await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  })).id;
  const storage = new MemoryStorage();
  const alice = await client(t, "alice", storage);
  try {
    await alice.loadLatest(ch);
    t.server.hub.closeAll(1012, "restarting");
    await until("offline", () => alice.status.value !== "open");
    const key = alice.send(ch, "written offline");
    assert.deepEqual(alice.outbox.value.map((i) => [i.clientId, i.state]), [[key, "pending"]]);
    assert.ok(storage.getItem(`parley.outbox.${f.users.alice.id}`)?.includes("written offline"), "persisted");
    await until("sent after reconnecting", () => alice.outbox.value.length === 0, 20_000);
    const rows = await f.deps.db.query("SELECT id FROM messages WHERE client_id = $1", [key]);
    assert.equal(rows.length, 1);
    await until("in the channel", () => alice.chat.value[ch]?.messages.some((m) => m.clientId === key));
  } finally {
    alice.stop();
  }
});

serverTest(
  "client: presence from the hello snapshot, then gathered updates as people come and go",
  async (t) => {
    const { f } = t;
    const alice = await client(t, "alice");
    // A view showing bob and carol follows them: their snapshot comes back in presence_sub's ack.
    const unfollow = alice.followPresence([f.users.bob.id, f.users.carol.id]);
    await until("carol's snapshot", () => alice.presence.value[f.users.carol.id] !== undefined);
    const bob = await client(t, "bob");
    try {
      // alice's snapshot had herself online; bob's arrival reaches her in a gathered presence_updated.
      assert.equal(alice.presence.value[f.users.alice.id]?.status, "online");
      await until("alice sees bob online", () => alice.presence.value[f.users.bob.id]?.status === "online");
      await bob.setPresence({ status: "busy", statusText: "In a call" });
      await until("alice sees bob busy", () => alice.presence.value[f.users.bob.id]?.status === "busy");
      assert.equal(alice.presence.value[f.users.bob.id]?.statusText, "In a call");
      // Nobody else in the workspace changed: their entries come from the snapshot only.
      assert.equal(alice.presence.value[f.users.carol.id]?.status, "offline");
      // Once no view shows bob, his changes stop coming (alice has no conversation with him).
      unfollow();
      const aliceFollows = () => t.server.hub.connectionsOf(f.users.alice.id).flatMap((c) => [...c.follows]);
      await until("unfollowed", () => !aliceFollows().includes(f.users.bob.id));
      assert.ok(aliceFollows().includes(f.users.alice.id), "oneself stays followed");
      await bob.setPresence({ status: "away" });
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(alice.presence.value[f.users.bob.id]?.status, "busy");
    } finally {
      alice.stop();
      bob.stop();
    }
  },
);
