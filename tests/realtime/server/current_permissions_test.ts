/**
 * Permissions on open sockets are current (issue 9, item 4): a socket opened while its user was an admin
 * acts with the new role from the very next action after the role is removed — on the instance that made
 * the change and on every other one (a typed `access_changed` event through the bus) — and a role changed
 * by other means (directly in the database, a sign-in with new roles) is picked up by the gateway's
 * periodic check. Sockets of a user whose access to a channel ended stop receiving its events at once, on
 * every instance.
 */
import assert from "node:assert/strict";
import * as people from "../../../domain/admin/people.ts";
import * as channels from "../../../domain/channels.ts";
import * as members from "../../../domain/members.ts";
import * as messages from "../../../domain/messages.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import { dropPostgresUrl } from "../../helpers/db.ts";
import { type Fixture, fixture } from "../../helpers/fixture.ts";
import { pgNotifyInstance, requirePostgres, serverTest, sessionFor, until, WsClient } from "../helpers.ts";

const NO_IP = { ip: "" };

/** A second admin, "boss", with a private channel they are not in and a public one they are in. */
async function scene(f: Fixture) {
  const boss = await usersRepo.insert(f.deps.db, {
    workspaceId: f.ws,
    username: "boss",
    displayName: "Boss",
    role: "admin",
  });
  const secret = await channels.create(f.deps, f.actor("mod"), {
    name: "secret",
    kind: "private_channel",
    memberIds: [f.users.bob.id, f.users.carol.id],
  });
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.bob.id, boss.id],
  });
  const send = async (channelId: number, k: string) =>
    (await messages.send(f.deps, f.actor("bob"), { channelId, clientId: k, body: `bob ${k}` })).message;
  return { boss, secret, general, hidden: await send(secret.id, "s1"), open: await send(general.id, "g1") };
}

serverTest("a removed admin role applies to the very next action of a socket opened as admin", async (t) => {
  const { f } = t;
  const s = await scene(f);
  const ws = await WsClient.open(t.url, await sessionFor(f.deps.db, s.boss));
  try {
    await ws.ok("hello", { channels: { [s.general.id]: 0 } });
    // As an admin: reads a private channel (chat.monitor_all).
    assert.equal((await ws.ok("replay", { channelId: s.secret.id, afterSeq: 0 })).events.length, 1);

    await people.setRole(f.deps, f.actor("admin"), NO_IP, s.boss.id, { role: "member" });
    // The very next frames, without waiting for anything.
    assert.equal((await ws.fails("replay", { channelId: s.secret.id, afterSeq: 0 })).code, "not_found");
    assert.equal((await ws.fails("delete_message", { messageId: s.open.id })).code, "forbidden");
    await ws.waitFor((e) => e.type === "access_changed" && e.userId === s.boss.id);
    assert.equal((await ws.fails("replay", { channelId: s.secret.id, afterSeq: 0 })).code, "not_found");

    // Changed behind the domain's back (straight in the database): the periodic check picks it up.
    await usersRepo.setRole(f.deps.db, s.boss.id, "admin");
    await until("the admin role is back on the socket", async () => {
      const r = await ws.request("replay", { channelId: s.secret.id, afterSeq: 0 });
      return r.type === "ack";
    }, 15_000);
    await usersRepo.setRole(f.deps.db, s.boss.id, "member");
    await until("and gone again", async () => {
      const r = await ws.request("replay", { channelId: s.secret.id, afterSeq: 0 });
      return r.type === "error" && r.error.code === "not_found";
    }, 15_000);
    assert.equal((await messages.get(f.deps, f.actor("bob"), s.open.id)).deletedAt, null);
  } finally {
    ws.close();
  }
});

Deno.test({
  name: "on every instance: role changes apply at the next action, removed members stop getting events",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const url = await requirePostgres();
    const a = await pgNotifyInstance(url, "a");
    const b = await pgNotifyInstance(url, "b");
    const sockets: WsClient[] = [];
    try {
      const f = await fixture(a.deps.db, { config: a.deps.config });
      f.deps = a.deps; // changes are made on instance a
      const s = await scene(f);
      const bUrl = b.url.replace("localhost", "127.0.0.1");
      const open = async (u: { id: number; workspaceId: number }) => {
        const ws = await WsClient.open(bUrl, await sessionFor(f.deps.db, u));
        sockets.push(ws);
        return ws;
      };
      // On instance b: boss (an admin), carol and bob (members of the private channel).
      const boss = await open(s.boss);
      const carol = await open(f.users.carol);
      const bob = await open(f.users.bob);
      await boss.ok("hello");
      await carol.ok("hello", { channels: { [s.secret.id]: 1 } });
      await bob.ok("hello", { channels: { [s.secret.id]: 1 } });
      assert.equal((await boss.ok("replay", { channelId: s.secret.id, afterSeq: 0 })).events.length, 1);

      // Carol is removed on instance a: her socket on b gets user_left, then nothing more of the channel.
      await members.remove(f.deps, f.actor("mod"), s.secret.id, f.users.carol.id);
      await carol.waitFor((e) => e.type === "user_left" && e.userId === f.users.carol.id, {
        timeoutMs: 15_000,
      });
      const mark = carol.frames.length;
      await messages.send(f.deps, f.actor("bob"), {
        channelId: s.secret.id,
        clientId: "after",
        body: "not for carol",
      });
      await messages.send(f.deps, f.actor("bob"), {
        channelId: s.secret.id,
        clientId: "after2",
        body: "@carol still not for you",
      });
      await bob.waitFor((e) => e.type === "message_received" && e.message.clientId === "after2", {
        timeoutMs: 15_000,
      });
      const leaked = carol.frames.slice(mark).filter((e) => "channelId" in e && e.channelId === s.secret.id);
      assert.deepEqual(leaked, []);
      assert.equal((await carol.fails("replay", { channelId: s.secret.id, afterSeq: 0 })).code, "not_found");

      // Boss is demoted on instance a: the event reaches b, and boss's next action there is a member's.
      await people.setRole(f.deps, f.actor("admin"), NO_IP, s.boss.id, { role: "member" });
      await boss.waitFor((e) => e.type === "access_changed", { timeoutMs: 15_000 });
      assert.equal((await boss.fails("replay", { channelId: s.secret.id, afterSeq: 0 })).code, "not_found");
      assert.equal((await boss.fails("delete_message", { messageId: s.open.id })).code, "forbidden");
    } finally {
      for (const ws of sockets) ws.close();
      await a.shutdown();
      await b.shutdown();
      await dropPostgresUrl(url).catch(() => {});
    }
  },
});
