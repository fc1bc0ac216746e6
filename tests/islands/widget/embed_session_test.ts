/** The embed session's refresh plan: well before it lapses, with the current token, stopped on unmount. */
import assert from "node:assert/strict";
import { type EmbedSession, keepAlive, refreshDelay } from "../../../islands/widget/embed_session.ts";

const at = (ms: number, now: number) => new Date(now + ms).toISOString();

Deno.test("refresh three minutes before a 15-minute session lapses, at two thirds of a short one", () => {
  const now = Date.parse("2026-01-01T10:00:00Z");
  assert.equal(refreshDelay(at(15 * 60_000, now), now), 12 * 60_000);
  assert.equal(refreshDelay(at(60_000, now), now), 40_000);
  // Lapsed or about to: at once (a second from now), never in the past.
  assert.equal(refreshDelay(at(-5_000, now), now), 1_000);
});

Deno.test("keepAlive exchanges the current token for more time, and stops when told", async () => {
  const calls: string[] = [];
  const session: EmbedSession = { token: "t1", expiresAt: new Date(Date.now() + 1_800).toISOString() };
  let n = 1;
  const stop = keepAlive(session, (current) => {
    calls.push(current);
    return Promise.resolve({
      token: `t${++n}`,
      expiresAt: new Date(Date.now() + 1_800).toISOString(),
    });
  });
  await new Promise((r) => setTimeout(r, 1_600));
  assert.deepEqual(calls, ["t1"], "refreshed once, before it lapsed, with the token it had");
  assert.equal(session.token, "t2");
  assert.ok(Date.parse(session.expiresAt) - Date.now() > 1_000);
  stop();
  await new Promise((r) => setTimeout(r, 1_600));
  assert.deepEqual(calls, ["t1"], "nothing after stop");
});
