/**
 * Two server processes on one Postgres with the LISTEN/NOTIFY bus, clients on each, all writing to one
 * channel at once: every client ends with the database's history, no event lost or doubled between the
 * instances; edits, reactions, typing, presence and read receipts cross over too.
 */
import assert from "node:assert/strict";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";
import {
  ChildServer,
  dbHistory,
  expectConverged,
  KeyedSender,
  presenceIn,
  runSenders,
  sessionFor,
  withServerProcesses,
  WsClient,
} from "../helpers.ts";

const USERS = 10;
const PER_CLIENT = 40;

Deno.test({
  name: "two instances on one Postgres: clients on both see the same conversation, nothing lost",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServerProcesses(
      { users: USERS, channel: "shared" },
      async ({ db, f, users, ch, env, servers, stops }) => {
        const [a, b] = await Promise.all([
          ChildServer.start({ ...env, INSTANCE_ID: "a" }),
          ChildServer.start({ ...env, INSTANCE_ID: "b" }),
        ]);
        servers.push(a, b);
        // Read receipts are shown (and sent) in DMs and groups: a group with something to read.
        const group = await channels.openGroup(f.deps, f.actor("mod"), {
          userIds: [users[0].id, users[1].id],
        });
        await messages.send(f.deps, f.actor("mod"), {
          channelId: group.id,
          clientId: "g1",
          body: "hello group",
        });

        // Each user has a tab on each instance.
        const clients: KeyedSender[] = [];
        for (const [i, u] of users.entries()) {
          for (const [tab, s] of [a, b].entries()) {
            const name = `u${i}.${tab ? "b" : "a"}`;
            const keys = Array.from({ length: PER_CLIENT }, (_, n) => `${name}-${n}`);
            clients.push(new KeyedSender(name, await sessionFor(db, u), ch, () => s.url, keys));
          }
        }
        const total = clients.length * PER_CLIENT;
        const senders = runSenders(clients, 120_000);
        stops.push(senders.stop);
        await senders.acked;

        // Other kinds of events, each produced on one instance and expected on the other.
        const onA = clients.find((c) => c.name === "u0.a")!;
        const onB = clients.find((c) => c.name === "u1.b")!;
        const mine = onB.acked.get("u1.b-0")!;
        await onB.ws!.ok("edit_message", { messageId: mine.id, body: "edited on b" });
        await onA.ws!.ok("add_reaction", { messageId: mine.id, emoji: "🚀" });
        await onB.ws!.ok("add_reaction", { messageId: mine.id, emoji: "🚀" });
        const last = total + 3;

        const history = await dbHistory(db, ch);
        assert.equal(history.length, total);
        assert.deepEqual(history.map((m) => m.seq), Array.from({ length: total }, (_, i) => i + 1));
        await expectConverged(clients, ch, last, history);
        for (const c of clients) {
          const m = c.store.messages(ch).find((x) => x.id === mine.id)!;
          assert.equal(m.body, "edited on b");
          assert.deepEqual(m.reactions, [{ emoji: "🚀", userIds: [users[0].id, users[1].id] }]);
        }

        // Ephemeral events cross over as well: typing, read receipts, presence.
        const watcherA = await WsClient.open(a.url, await sessionFor(db, f.users.mod));
        await watcherA.ok("hello", { presenceSub: [f.users.carol.id] });
        await onB.ws!.ok("typing_start", { channelId: ch });
        await watcherA.waitFor((e) => e.type === "user_typing" && e.userId === users[1].id);
        await onB.ws!.ok("message_read", { channelId: group.id, seq: 1 });
        const receipt = await watcherA.waitFor((e) => e.type === "read_receipt" && e.userId === users[1].id);
        assert.deepEqual([receipt.channelId, receipt.seq], [group.id, 1]);
        const newcomer = await WsClient.open(b.url, await sessionFor(db, f.users.carol));
        await newcomer.ok("hello");
        await watcherA.waitFor((e) => presenceIn(e, f.users.carol.id)?.connections === 1);

        const liveGaps = clients.reduce((n, c) => n + c.store.liveGaps, 0);
        const gapReplays = clients.reduce((n, c) => n + c.store.gapReplays, 0);
        console.log(
          `two instances: ${clients.length} clients (${USERS} users, one tab on each instance), ${total} messages ` +
            `+ 3 edits/reactions; every client converged; ${liveGaps} live gaps, ${gapReplays} gap replays`,
        );
        for (const c of [watcherA, newcomer]) c.close();
      },
    );
  },
});
