/**
 * Monitor over the WebSocket: holders of chat.monitor_all watch a conversation (or all of them) read-only,
 * each opening audited; a member's and another workspace's watch is refused; a monitor whose permission is
 * removed is told at once and receives nothing more, and cannot watch again.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";
import * as roles from "../../../domain/admin/roles.ts";
import * as people from "../../../domain/admin/people.ts";
import * as usersRepo from "../../../db/repos/users.ts";
import { dropPostgresUrl } from "../../helpers/db.ts";
import { fixture } from "../../helpers/fixture.ts";
import { pgNotifyInstance, requirePostgres, serverTest, sessionFor, until, WsClient } from "../helpers.ts";

const NO_IP = { ip: "" };

serverTest(
  "monitors watch live; members and other workspaces are refused; removed permission stops at once",
  async (t) => {
    const { f } = t;
    const secret = await channels.create(f.deps, f.actor("mod"), {
      name: "secret",
      kind: "private_channel",
      memberIds: [f.users.bob.id],
    });
    const send = async (k: string) =>
      (await messages.send(f.deps, f.actor("bob"), { channelId: secret.id, clientId: k, body: `bob ${k}` }))
        .message;
    const watcher = await roles.create(f.deps, f.actor("admin"), NO_IP, {
      name: "Watcher",
      rank: "member",
      permissions: ["chat.access_channels", "chat.monitor_all"],
    });
    await roles.assign(f.deps, f.actor("admin"), NO_IP, watcher.id, f.users.carol.id);

    const admin = await WsClient.open(t.url, await sessionFor(f.deps.db, f.users.admin));
    const carol = await WsClient.open(t.url, await sessionFor(f.deps.db, f.users.carol));
    const alice = await WsClient.open(t.url, await sessionFor(f.deps.db, f.users.alice));
    const eve = await WsClient.open(t.url, await sessionFor(f.deps.db, f.users.eve));
    try {
      for (const c of [admin, carol, alice, eve]) await c.ok("hello", {});
      assert.deepEqual(await admin.ok("monitor_watch", { channelId: secret.id }), { ok: true });
      assert.deepEqual(await carol.ok("monitor_watch", { channelId: 0 }), { ok: true });
      assert.equal((await alice.fails("monitor_watch", { channelId: secret.id })).code, "forbidden");
      assert.equal((await alice.fails("monitor_watch", { channelId: 0 })).code, "forbidden");
      await f.deps.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [f.users.eve.id]);
      eve.close();
      const eveAdmin = await WsClient.open(t.url, await sessionFor(f.deps.db, f.users.eve));
      await eveAdmin.ok("hello", {});
      assert.equal((await eveAdmin.fails("monitor_watch", { channelId: secret.id })).code, "not_found");
      await eveAdmin.ok("monitor_watch", { channelId: 0 });

      const m1 = await send("m1");
      for (const c of [admin, carol]) {
        const e = await c.waitFor((x) => x.type === "monitor_event" && x.event.message?.id === m1.id);
        assert.equal(e.channelId, secret.id);
        assert.equal(e.event.type, "message_received");
        assert.equal(e.event.message.body, "bob m1");
      }
      const audit = await f.deps.db.query<{ actor_id: number; target: string }>(
        "SELECT actor_id::int AS actor_id, target FROM audit_log WHERE action = 'monitor_watch' ORDER BY id",
      );
      assert.deepEqual(audit.map((a) => [Number(a.actor_id), a.target]), [
        [f.users.admin.id, String(secret.id)],
        [f.users.carol.id, ""],
        [f.users.eve.id, ""],
      ]);

      // The role loses chat.monitor_all: carol's watch ends at once.
      await roles.update(f.deps, f.actor("admin"), NO_IP, watcher.id, {
        permissions: ["chat.access_channels"],
      });
      await carol.waitFor((x) => x.type === "monitor_ended");
      const m2 = await send("m2");
      await admin.waitFor((x) => x.type === "monitor_event" && x.event.message?.id === m2.id);
      // Edits and deletes reach the watcher too.
      await messages.remove(f.deps, f.actor("bob"), m2.id);
      await admin.waitFor((x) =>
        x.type === "monitor_event" && x.event.type === "message_deleted" && x.event.messageId === m2.id
      );
      assert.equal((await carol.fails("monitor_watch", { channelId: 0 })).code, "forbidden");
      const m3 = await send("m3");
      await admin.waitFor((x) => x.type === "monitor_event" && x.event.message?.id === m3.id);
      // By now everything about m2 and m3 was fanned out on this one instance.
      await admin.ok("ping");
      await carol.ok("ping");
      const seen = carol.of("monitor_event").map((x) => x.event.message?.id ?? x.event.messageId);
      assert.deepEqual(seen, [m1.id], "carol got nothing after her permission went");
      assert.deepEqual(alice.of("monitor_event"), []);
      assert.deepEqual(eveAdmin.of("monitor_event"), [], "another workspace's monitor sees nothing of ours");

      // Unwatch stops the admin's feed; a second socket still watching shows the event went out.
      const other = await WsClient.open(t.url, await sessionFor(f.deps.db, f.users.admin));
      await other.ok("hello", {});
      await other.ok("monitor_watch", { channelId: secret.id });
      await admin.ok("monitor_unwatch", { channelId: secret.id });
      const m4 = await send("m4");
      await other.waitFor((x) => x.type === "monitor_event" && x.event.message?.id === m4.id);
      assert.ok(!admin.of("monitor_event").some((x) => x.event.message?.id === m4.id));
      other.close();
      eveAdmin.close();
    } finally {
      for (const c of [admin, carol, alice, eve]) c.close();
    }
  },
);

Deno.test({
  name: "on another instance: a monitor's watch ends when the role changes there or behind the domain's back",
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
      const boss = await usersRepo.insert(f.deps.db, {
        workspaceId: f.ws,
        username: "boss",
        displayName: "Boss",
        role: "admin",
      });
      const general = await channels.create(f.deps, f.actor("mod"), {
        name: "general",
        memberIds: [f.users.bob.id],
      });
      const bUrl = b.url.replace("localhost", "127.0.0.1");
      const open = async (u: { id: number; workspaceId: number }) => {
        const ws = await WsClient.open(bUrl, await sessionFor(f.deps.db, u));
        sockets.push(ws);
        await ws.ok("hello");
        await ws.ok("monitor_watch", { channelId: 0 });
        return ws;
      };
      const [bossWs, adminWs] = [await open(boss), await open(f.users.admin)];
      let n = 0;
      const send = async () =>
        (await messages.send(f.deps, f.actor("bob"), {
          channelId: general.id,
          clientId: `k${++n}`,
          body: `bob ${n}`,
        })).message;
      const got = (ws: WsClient, id: number) =>
        ws.waitFor((x) => x.type === "monitor_event" && x.event.message?.id === id, { timeoutMs: 15_000 });
      await got(bossWs, (await send()).id);

      await people.setRole(f.deps, f.actor("admin"), NO_IP, boss.id, { role: "member" });
      await bossWs.waitFor((x) => x.type === "monitor_ended", { timeoutMs: 15_000 });
      const m = await send();
      await got(adminWs, m.id);
      assert.ok(!bossWs.of("monitor_event").some((x) => x.event.message?.id === m.id));
      assert.equal((await bossWs.fails("monitor_watch", { channelId: 0 })).code, "forbidden");

      // Straight in the database: the gateway's periodic check marks the socket, the next event ends it.
      await usersRepo.setRole(f.deps.db, f.users.admin.id, "member");
      await until("the watch ends", async () => {
        await send();
        await new Promise((r) => setTimeout(r, 300));
        return adminWs.of("monitor_ended").length > 0;
      }, 20_000);
    } finally {
      for (const ws of sockets) ws.close();
      await a.shutdown();
      await b.shutdown();
      await dropPostgresUrl(url).catch(() => {});
    }
  },
});
