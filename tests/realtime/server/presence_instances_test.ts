/**
 * The hello's presence snapshot on two instances: it must include people online on the other instance,
 * agree with what their followers are told once the grace period after their last tab closed is over
 * (offline), show people created after the workspace was first read, and nobody of another workspace.
 */
import assert from "node:assert/strict";
import * as usersRepo from "../../../db/repos/users.ts";
import { GRACE_MS } from "../../../domain/presence.ts";
import type { PresenceInfo } from "../../../realtime/protocol.ts";
import { ChildServer, presenceIn, sessionFor, withServerProcesses, WsClient } from "../helpers.ts";

const of = (r: { presence: PresenceInfo[] }, userId: number) => r.presence.find((p) => p.userId === userId);

Deno.test({
  name: "presence snapshot on two instances: the other instance's people, after the grace period, newcomers",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServerProcesses({ users: 2, channel: "presence" }, async ({ db, f, users, env, servers }) => {
      const [a, b] = await Promise.all([
        ChildServer.start({ ...env, INSTANCE_ID: "a" }),
        ChildServer.start({ ...env, INSTANCE_ID: "b" }),
      ]);
      servers.push(a, b);
      const carol = f.users.carol.id;
      const open = async (url: string, user: { id: number; workspaceId: number }) =>
        await WsClient.open(url, await sessionFor(db, user));
      /** A new socket on instance A and its hello's snapshot of these people. */
      const snapshot = async (ids: number[]) => {
        const c = await open(a.url, users[1]);
        const r = await c.ok("hello", { presenceSub: ids });
        c.close();
        return r;
      };

      // A reads the workspace (carol offline) and keeps following carol.
      const watcher = await open(a.url, users[0]);
      assert.equal(of(await watcher.ok("hello", { presenceSub: [carol] }), carol)?.status, "offline");

      // Carol comes online on B: A's next snapshot has her online, as the watcher is told.
      const onB = await open(b.url, f.users.carol);
      await onB.ok("hello");
      await watcher.waitFor((e) => presenceIn(e, carol)?.connections === 1);
      assert.deepEqual(
        [of(await snapshot([carol]), carol)?.status, of(await snapshot([carol]), carol)?.connections],
        ["online", 1],
      );

      // Her last tab closes: after the grace period she is offline, for the watcher and for a new snapshot.
      const mark = watcher.frames.length;
      onB.close();
      await onB.closed;
      const gone = await watcher.waitFor((e) => presenceIn(e, carol)?.status === "offline", {
        from: mark,
        timeoutMs: GRACE_MS * 4,
      });
      assert.equal(presenceIn(gone, carol)?.connections, 0);
      const after = of(await snapshot([carol]), carol);
      assert.deepEqual([after?.status, after?.connections], ["offline", 0]);

      // Someone created after A read the workspace, online on B; and an id of another workspace.
      const late = await usersRepo.insert(db, {
        workspaceId: f.ws,
        username: "latecomer",
        displayName: "Latecomer",
        role: "member",
        passwordHash: null,
      });
      const lateOnB = await open(b.url, late);
      await lateOnB.ok("hello");
      const other = f.users.eve.id; // of another workspace
      const r = await snapshot([late.id, other]);
      assert.deepEqual(r.presence.map((p: PresenceInfo) => p.userId), [late.id]);
      assert.deepEqual([of(r, late.id)?.status, of(r, late.id)?.connections], ["online", 1]);
      for (const c of [watcher, lateOnB]) c.close();
    });
  },
});
