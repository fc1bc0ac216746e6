/** Web Push: encrypted pushes to people with no Parley tab open, previews, gone endpoints, devices. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { refused } from "../helpers/assert.ts";
import * as n from "../../domain/notifications/mine.ts";
import * as connectionsRepo from "../../db/repos/connections.ts";
import { startPushReceiver } from "../helpers/push_receiver.ts";
import { BASE, scene, tickFor, tickUntil } from "./harness.ts";

dbTest(
  "an offline person gets an encrypted push; an online one does not; previews follow the workspace",
  async (db) => {
    const s = await scene(db);
    const push = startPushReceiver();
    try {
      await n.subscribe(
        s.f.deps,
        s.f.actor("alice"),
        push.subscription("alice-laptop"),
        "Mozilla/5.0 (X11; Linux) Chrome/140",
      );
      await n.subscribe(s.f.deps, s.f.actor("carol"), push.subscription("carol-phone"));
      await connectionsRepo.insertMany(db, [{
        id: "c1",
        userId: s.f.users.carol.id,
        workspaceId: s.f.ws,
        instanceId: "t",
        page: "",
        userAgent: "",
      }]);
      const dm = await s.dm("bob", "alice");
      const dmCarol = await s.dm("bob", "carol");
      const m = await s.send("bob", dm, "Lunch at **noon**?");
      await s.send("bob", dmCarol, "carol has a tab open");
      await tickUntil(s, () => push.received.length >= 1);
      await tickFor(s, 300);
      assert.equal(push.received.length, 1, "carol is online: her open tab notifies her, no push");
      const p = push.received[0];
      assert.equal(p.path, "/push/alice-laptop");
      assert.equal(p.payload.title, "New message from Bob");
      assert.equal(p.payload.body, "Lunch at noon?");
      assert.equal(p.payload.url, `${BASE}/chat/${dm}/${m}`);
      // Previews off: the push carries no message text.
      await n.updateWorkspaceSettings(s.f.deps, s.f.actor("admin"), { previews: false });
      await s.send("bob", dm, "secret plans");
      await tickUntil(s, () => push.received.length === 2);
      assert.equal(push.received[1].payload.body, "Open Parley to read it");
      assert.ok(!JSON.stringify(push.received[1].payload).includes("secret"));
      const devices = await n.devices(s.f.deps, s.f.actor("alice"));
      assert.equal(devices.length, 1);
      assert.equal(devices[0].device, "Chrome on Linux");
      assert.ok(devices[0].lastUsedAt);
    } finally {
      await push.close();
      await s.close();
    }
  },
);

dbTest("a push endpoint answering 410 is removed; levels decide what pushes", async (db) => {
  const s = await scene(db);
  const push = startPushReceiver();
  try {
    await n.subscribe(s.f.deps, s.f.actor("alice"), push.subscription("old", true));
    await n.subscribe(s.f.deps, s.f.actor("alice"), push.subscription("new"));
    const general = await s.channel("general", ["alice", "bob"]);
    await s.send("bob", general, "chatter at the default mentions level");
    await s.send("bob", general, "@alice a mention");
    await tickUntil(s, () => push.received.length >= 1);
    await tickFor(s, 300);
    assert.deepEqual(push.received.map((r) => r.payload.title), ["Bob mentioned you in #general"]);
    assert.ok(push.hits.includes("/gone/old"));
    const left = await n.devices(s.f.deps, s.f.actor("alice"));
    assert.deepEqual(left.map((d) => d.endpointHost.length > 0 && d.id), [2], "the gone endpoint is removed");
    assert.ok(s.logs.some((l) => /subscription 1 removed/.test(l)));
    await n.setLevel(s.f.deps, s.f.actor("alice"), general, { level: "all" });
    await s.send("bob", general, "now everything pushes");
    await tickUntil(s, () => push.received.length === 2);
    await n.setLevel(s.f.deps, s.f.actor("alice"), general, { level: "mute" });
    await s.send("bob", general, "@alice muted");
    await tickFor(s, 500);
    assert.equal(push.received.length, 2);
  } finally {
    await push.close();
    await s.close();
  }
});

dbTest("push endpoints are validated and devices belong to their person", async (db) => {
  const s = await scene(db, { pushAllowLoopbackHttp: false });
  const push = startPushReceiver();
  try {
    const good = push.subscription("x");
    await refused(n.subscribe(s.f.deps, s.f.actor("alice"), good), 400); // loopback http not allowed here
    for (
      const endpoint of [
        "not a url",
        "http://push.example.com/x",
        "https://10.0.0.1/x",
        "https://u:p@push.example.com/",
      ]
    ) {
      await refused(n.subscribe(s.f.deps, s.f.actor("alice"), { ...good, endpoint }), 400);
    }
    await refused(
      n.subscribe(s.f.deps, s.f.actor("alice"), {
        ...good,
        endpoint: "https://push.example.com/a",
        keys: { p256dh: "short", auth: "x" },
      }),
      400,
    );
    const d = await n.subscribe(s.f.deps, s.f.actor("alice"), {
      ...good,
      endpoint: "https://push.example.com/a",
    });
    await refused(n.unsubscribeDevice(s.f.deps, s.f.actor("bob"), d.id), 404);
    await refused(n.unsubscribeDevice(s.f.deps, s.f.actor("eve"), d.id), 404);
    assert.equal((await n.devices(s.f.deps, s.f.actor("bob"))).length, 0);
    await n.unsubscribeDevice(s.f.deps, s.f.actor("alice"), d.id);
    assert.equal((await n.devices(s.f.deps, s.f.actor("alice"))).length, 0);
  } finally {
    await push.close();
    await s.close();
  }
});

dbTest("notifyVisitorWaiting pushes once to offline staff, respecting do not disturb", async (db) => {
  const s = await scene(db);
  const push = startPushReceiver();
  try {
    const { notifyVisitorWaiting } = await import("../../domain/notifications/visitor.ts");
    await n.subscribe(s.f.deps, s.f.actor("alice"), push.subscription("alice"));
    await n.subscribe(s.f.deps, s.f.actor("bob"), push.subscription("bob"));
    await n.pause(s.f.deps, s.f.actor("bob"), { minutes: 60 });
    const v = {
      workspaceId: s.f.ws,
      conversationId: 7,
      visitorName: "Vera",
      staffUserIds: [s.f.users.alice.id, s.f.users.bob.id],
    };
    assert.deepEqual(await notifyVisitorWaiting(s.f.deps, v), [s.f.users.alice.id]);
    await notifyVisitorWaiting(s.f.deps, v); // called twice: still one push
    await tickUntil(s, () => push.received.length >= 1);
    await tickFor(s, 300);
    assert.equal(push.received.length, 1);
    assert.equal(push.received[0].payload.title, "Vera is waiting for help");
    assert.equal(push.received[0].payload.kind, "visitor");
  } finally {
    await push.close();
    await s.close();
  }
});
