/**
 * WebSocket frame limits: every frame, valid or not, counts against the user's frame rate; an oversized
 * frame closes the socket (1009) and a user who keeps sending them cannot open new sockets for a while.
 */
import assert from "node:assert/strict";
import { rawUpgrade, serverTest, WsClient } from "../helpers.ts";

serverTest(
  "frames that fail validation count against the frame rate too",
  async (t) => {
    const token = await t.token("alice");
    const c = await WsClient.open(t.url, token);
    for (let i = 0; i < 25; i++) c.send(i % 2 ? "not json" : { action: "ping" });
    await c.waitFor((f) => f.type === "error" && f.error.code === "rate_limited");
    // The allowance is spent: a valid frame is refused now as well.
    const e = await c.fails("ping");
    assert.equal(e.code, "rate_limited");
    // Another user's allowance is their own.
    const b = await WsClient.open(t.url, await t.token("bob"));
    await b.ok("ping");
    c.close();
    b.close();
  },
  { env: { RATE_FRAMES_PER_MINUTE: "20" }, engines: ["pglite"] },
);

serverTest(
  "oversized frames close the socket; a user who keeps sending them is refused new sockets",
  async (t) => {
    const token = await t.token("alice");
    for (let i = 0; i < 3; i++) {
      const c = await WsClient.open(t.url, token);
      c.send(JSON.stringify({ id: "x", action: "ping", pad: "p".repeat(4096) }));
      assert.equal((await c.closed).code, 1009);
    }
    const refused = await rawUpgrade(t.url, { authorization: `Bearer ${token}` });
    assert.equal(refused.status, 429);
    assert.equal(JSON.parse(refused.body).error.code, "rate_limited");
    // Others are not affected.
    const bob = await WsClient.open(t.url, await t.token("bob"));
    await bob.ok("ping");
    bob.close();
  },
  { env: { WS_MAX_FRAME_BYTES: "1024" }, engines: ["pglite"] },
);
