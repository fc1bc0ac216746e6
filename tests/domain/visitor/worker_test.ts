/**
 * The worker's "visitor gone" with the socket count off the conversation row (`visitor_presence`): a
 * visitor with a socket open on any instance keeps the chat however long ago the clock says they were
 * seen; once every socket closed, the chat ends after the recovery window; a count left behind by an
 * instance that stopped without closing its sockets goes stale and does not keep the chat open.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { visitorFixture } from "./helpers.ts";
import * as presenceRepo from "../../../db/repos/visitor_presence.ts";
import * as staff from "../../../domain/visitor/staff.ts";
import { tick } from "../../../domain/visitor/worker.ts";

const status = async (db: { query: (q: string, p: unknown[]) => Promise<unknown[]> }, id: number) =>
  ((await db.query("SELECT status, ended_by FROM visitor_conversations WHERE id = $1", [id])) as {
    status: string;
    ended_by: string;
  }[])[0];

dbTest(
  "a visitor with a socket open stays; gone after the recovery window once every socket closed",
  async (db) => {
    let now = Date.now();
    const f = await visitorFixture(db, { now: () => new Date(now) });
    const alice = await f.agent("alice");
    const { id } = await f.visitor();
    const online = async () => (await staff.conversation(f.deps, alice, id)).conversation.visitorOnline;
    assert.equal(await online(), false, "no socket yet");

    // Two tabs (on two instances): one closes, the other stays open.
    await presenceRepo.visitorConnected(db, id, 1);
    await presenceRepo.visitorConnected(db, id, 1);
    await presenceRepo.visitorConnected(db, id, -1);
    assert.equal(await online(), true);
    now += 60 * 60_000; // an hour later by the clock, the socket still open
    await tick(f.deps);
    assert.notEqual((await status(db, id)).status, "ended", "a connected visitor is never gone");

    // The last tab closes: seen now; inside the window the chat waits, after it the chat ends.
    await presenceRepo.visitorConnected(db, id, -1);
    assert.equal(await online(), false);
    now = Date.now() + 4 * 60_000;
    await tick(f.deps);
    assert.notEqual((await status(db, id)).status, "ended", "inside the 5-minute recovery window");
    now = Date.now() + 6 * 60_000;
    await tick(f.deps);
    assert.deepEqual(await status(db, id), { status: "ended", ended_by: "abandoned" });
    // A close counted twice never goes below zero.
    await presenceRepo.visitorConnected(db, id, -1);
    const rows = await db.query<{ n: number }>(
      "SELECT connections AS n FROM visitor_presence WHERE conversation_id = $1",
      [id],
    );
    assert.equal(rows[0].n, 0);
  },
);

dbTest("a count left by an instance that stopped goes stale and does not keep the chat", async (db) => {
  let now = Date.now();
  const f = await visitorFixture(db, { now: () => new Date(now) });
  const alice = await f.agent("alice");
  const { id } = await f.visitor();
  await presenceRepo.visitorConnected(db, id, 1);
  // The instance holding the socket stopped: nobody touched the count since (the gateway does every 10 s).
  const stale = new Date(Date.now() - (presenceRepo.FRESH_SECONDS + 5) * 1000).toISOString();
  await db.query("UPDATE visitor_presence SET seen_at = $2 WHERE conversation_id = $1", [id, stale]);
  assert.equal((await staff.conversation(f.deps, alice, id)).conversation.visitorOnline, false);
  now = Date.now() + 6 * 60_000;
  await tick(f.deps);
  assert.deepEqual(await status(db, id), { status: "ended", ended_by: "abandoned" });
});

dbTest("a visitor whose socket is touched by its instance stays connected", async (db) => {
  let now = Date.now();
  const f = await visitorFixture(db, { now: () => new Date(now) });
  await f.agent("alice");
  const { id } = await f.visitor();
  await presenceRepo.visitorConnected(db, id, 1);
  const old = new Date(Date.now() - (presenceRepo.FRESH_SECONDS + 5) * 1000).toISOString();
  await db.query("UPDATE visitor_presence SET seen_at = $2 WHERE conversation_id = $1", [id, old]);
  await presenceRepo.touchVisitors(db, [id, 987654321]); // an unknown id is left alone
  now = Date.now() + 6 * 60_000;
  await tick(f.deps);
  assert.notEqual((await status(db, id)).status, "ended");
  const n = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM visitor_presence");
  assert.equal(n[0].n, 1);
});
