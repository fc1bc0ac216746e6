/**
 * The browser client (realtime/client.ts) against a real server: live delivery both ways, and a message
 * written while the server is down is sent once after it comes back (same idempotency key).
 */
import assert from "node:assert/strict";
import { startServer } from "../../main.ts";
import { testConfig } from "../helpers/fixture.ts";
import { MemoryStorage, waitFor } from "../helpers/wait.ts";
import { ParleyClient } from "../../realtime/client.ts";

async function login(url: string, username: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "parley" }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).token as string;
}

Deno.test({
  name: "client: live chat both ways, and an offline send is delivered once after a restart",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "parley-client-" });
    const config = testConfig({ dataDir, demo: true, demoPassword: "parley", port: 0 });
    let server = await startServer(config, () => {});
    const url = server.url;
    const port = Number(new URL(url).port);
    const alice = new ParleyClient({
      baseUrl: url,
      token: await login(url, "alice"),
      storage: new MemoryStorage(),
    });
    const bob = new ParleyClient({
      baseUrl: url,
      token: await login(url, "bob"),
      storage: new MemoryStorage(),
    });
    try {
      await Promise.all([alice.start(), bob.start()]);
      const general = alice.channels.value.find((c) => c.name === "general")!;
      await Promise.all([alice.loadLatest(general.id), bob.loadLatest(general.id)]);
      await waitFor(() => alice.status.value === "open" && bob.status.value === "open", "both online");

      bob.send(general.id, "hello alice");
      await waitFor(
        () => alice.chat.value[general.id].messages.some((m) => m.body === "hello alice"),
        "bob's message",
      );
      alice.send(general.id, "hi bob");
      await waitFor(
        () => bob.chat.value[general.id].messages.some((m) => m.body === "hi bob"),
        "alice's message",
      );

      await server.shutdown();
      await waitFor(() => alice.status.value === "offline", "alice offline");
      const clientId = alice.send(general.id, "written offline");
      assert.equal(alice.outbox.value.find((i) => i.clientId === clientId)?.state, "pending");

      server = await startServer({ ...config, port }, () => {});
      await waitFor(() => alice.outbox.value.length === 0, "outbox flushed", 45_000);
      await waitFor(
        () => bob.chat.value[general.id].messages.some((m) => m.body === "written offline"),
        "bob got the offline message",
        45_000,
      );
      const rows = await server.deps.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM messages WHERE body = $1",
        ["written offline"],
      );
      assert.equal(rows[0].n, 1);
      const seqs = bob.chat.value[general.id].messages.map((m) => m.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      assert.equal(new Set(seqs).size, seqs.length);
    } finally {
      alice.stop();
      bob.stop();
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
