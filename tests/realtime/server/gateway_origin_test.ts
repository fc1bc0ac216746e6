/** The WebSocket upgrade's Origin check compares scheme, host and port, not the host alone. */
import assert from "node:assert/strict";
import { rawUpgrade, serverTest } from "../helpers.ts";

serverTest("an upgrade from another scheme or port of the same host is refused", async (t) => {
  const auth = { authorization: `Bearer ${await t.token("alice")}` };
  const u = new URL(t.url);
  assert.equal((await rawUpgrade(t.url, { ...auth, origin: u.origin })).status, 101);
  for (const o of [`https://${u.host}`, `ws://${u.host}`, `wss://${u.host}`, `http://${u.hostname}:1`]) {
    const r = await rawUpgrade(t.url, { ...auth, origin: o });
    assert.equal(r.status, 403, o);
    assert.equal(JSON.parse(r.body).error.code, "bad_origin", o);
  }
});
