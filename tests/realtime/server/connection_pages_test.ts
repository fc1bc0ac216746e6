/** Defect 11: the page each connection reports (hello, update_presence) is stored; the admin list shows it. */
import assert from "node:assert/strict";
import { serverTest, until, WsClient } from "../helpers.ts";

serverTest("the admin connection list shows the page each tab reported", async (t) => {
  const admin = await t.token("admin");
  const list = async () => {
    const r = await fetch(`${t.url}/api/admin/connections`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    return ((await r.json()).connections as { userId: number; page: string }[])
      .filter((c) => c.userId === t.f.users.alice.id);
  };
  const tab = await WsClient.open(t.url, await t.token("alice"));
  await tab.ok("hello", { channels: {}, page: "/demo/tickets" });
  await until("page from hello", async () => (await list())[0]?.page === "/demo/tickets");
  await tab.ok("update_presence", { page: "/chat/7" });
  await until("page from update_presence", async () => (await list())[0]?.page === "/chat/7");
  // A member may not see the list.
  const r = await fetch(`${t.url}/api/admin/connections`, {
    headers: { authorization: `Bearer ${await t.token("alice")}` },
  });
  assert.equal(r.status, 403);
  await r.body?.cancel();
  tab.close();
});
