/**
 * The transport of a client on another origin asks for a socket ticket before every connection. When that
 * request is refused because the session ended (401) or the site may no longer use it (403), retrying cannot
 * help: the transport reports "session ended" and stays closed. Other failures (offline, 5xx) retry.
 */
import assert from "node:assert/strict";
import { Transport } from "../../../realtime/client/transport.ts";
import { ApiError } from "../../../realtime/client/rest.ts";
import { until } from "../until.ts";

function transport(fail: () => Error) {
  const closed: [number, string][] = [];
  let asked = 0;
  const t = new Transport(
    "ws://127.0.0.1:9/never-opened",
    {
      ready: () => Promise.resolve(),
      event: () => {},
      opened: () => {},
      closed: (code, reason) => (closed.push([code, reason]), false),
    },
    undefined,
    () => {
      asked++;
      return Promise.reject(fail());
    },
  );
  return { t, closed, asked: () => asked };
}

for (const status of [401, 403]) {
  Deno.test(`transport: a ticket refused with ${status} ends the session, no retry`, async () => {
    const { t, closed, asked } = transport(() => new ApiError("x", "This session has ended", status));
    t.start();
    try {
      await until("the end reported", () => closed.length > 0);
      assert.deepEqual(closed, [[4001, "This session has ended"]]);
      assert.equal(t.status.value, "offline");
      assert.equal(t.retryAt.value, null, "no reconnect is planned");
      assert.equal(asked(), 1);
    } finally {
      t.stop();
    }
  });
}

Deno.test("transport: a ticket request that fails otherwise is retried", async () => {
  const { t, closed, asked } = transport(() => new ApiError("offline", "Failed to fetch", 0));
  t.start();
  try {
    await until("a retry planned", () => t.retryAt.value !== null);
    assert.deepEqual(closed, []);
    assert.equal(asked(), 1);
  } finally {
    t.stop();
  }
});
