/**
 * The ticket webhook against a real local HTTP receiver: delivered with a valid HMAC-SHA256 signature,
 * retried with back-off when the host answers 500, and every attempt in the delivery log.
 */
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { dbTest } from "../../helpers/db.ts";
import { refused } from "../../helpers/assert.ts";
import { visitorFixture } from "./helpers.ts";
import * as routing from "../../../domain/visitor/routing.ts";
import * as staff from "../../../domain/visitor/staff.ts";
import { deliveryLog, offlineMessage } from "../../../domain/visitor/tickets.ts";
import { backoff, deliverDue, MAX_ATTEMPTS } from "../../../domain/visitor/webhooks.ts";

/** What a host application does to check a delivery (the example in docs/visitor-chat.md). */
function verify(secret: string, header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const mac = createHmac("sha256", secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(mac, Buffer.from(m[2], "hex"));
}

dbTest("a ticket is delivered signed, retried after a 500, and logged", async (db) => {
  const got: { body: string; sig: string; event: string }[] = [];
  let answer = 500;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    got.push({
      body: await req.text(),
      sig: req.headers.get("x-parley-signature") ?? "",
      event: req.headers.get("x-parley-event") ?? "",
    });
    return new Response("ok", { status: answer });
  });
  try {
    const f = await visitorFixture(db);
    await f.setting("webhook_url", `http://127.0.0.1:${server.addr.port}/tickets`);
    await f.setting("webhook_secret", "s3cret");
    const alice = await f.agent("alice");
    const { id } = await f.visitor({ topic: "Billing", message: "Invoice 42 is wrong" });
    await routing.claim(f.deps, alice, id);
    await staff.endByAgent(f.deps, alice, id);
    assert.equal(await deliverDue(f.deps), 1);
    assert.equal(got.length, 1);
    let log = await deliveryLog(f.deps, await f.staff("admin"));
    assert.equal(log[0].status, "pending");
    assert.equal(log[0].lastStatus, 500);
    assert.equal(log[0].attempts, 1);
    assert.equal(await deliverDue(f.deps), 0, "not again before the back-off");
    answer = 200;
    await db.query("UPDATE webhook_deliveries SET next_attempt_at = now()"); // the back-off has passed
    assert.equal(await deliverDue(f.deps), 1);
    assert.equal(got.length, 2);
    log = await deliveryLog(f.deps, await f.staff("admin"));
    assert.equal(log[0].status, "delivered");
    assert.equal(log[0].attempts, 2);
    for (const g of got) {
      assert.ok(verify("s3cret", g.sig, g.body), "signed with the workspace secret");
      assert.ok(!verify("wrong", g.sig, g.body));
      assert.equal(g.event, "ticket.created");
    }
    const payload = JSON.parse(got[1].body);
    assert.equal(payload.ticket.category, "Billing");
    assert.match(payload.ticket.body, /Invoice 42 is wrong/);
    assert.equal(payload.ticket.conversationId, id);
    // The offline form makes a ticket that is delivered too.
    await offlineMessage(f.deps, f.ws, {
      name: "Olga",
      email: "o@example.com",
      message: "Call me",
      formMs: 5000,
    }, "1.1.1.1");
    assert.equal(await deliverDue(f.deps), 1);
    assert.equal(JSON.parse(got[2].body).ticket.source, "offline_form");
    await refused(deliveryLog(f.deps, alice), 403);
  } finally {
    await server.shutdown();
  }
});

Deno.test("back-off doubles from 2 s and gives up after the last attempt", () => {
  assert.equal(backoff(1), 2);
  assert.equal(backoff(2), 4);
  assert.equal(backoff(5), 32);
  assert.equal(backoff(MAX_ATTEMPTS), null);
});
