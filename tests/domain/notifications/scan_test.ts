/**
 * The notification scan's idle tick (domain/notifications/scan.ts): with nothing due it only reads (no row
 * lock on the cursor, so no transaction id and no WAL flush at commit); a due message is still scanned, and
 * a first start still begins at the newest message.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { fixture } from "../../helpers/fixture.ts";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";
import { scanOnce } from "../../../domain/notifications/scan.ts";

dbTest("notification scan: an idle tick locks nothing; due messages are scanned", async (db) => {
  const f = await fixture(db);
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  const cursorRow = async () =>
    (await db.query<{ id: number; xmax: string }>(
      "SELECT last_message_id AS id, xmax::text AS xmax FROM notification_cursor WHERE id = 1",
    ))[0];
  // First start: the cursor is created (at the newest message, none here).
  assert.equal(await scanOnce(f.deps), 0);
  const first = await cursorRow();
  assert.equal(Number(first.id), 0);
  // Idle ticks: the cursor row is not locked (a lock would set its xmax to the tick's transaction).
  for (let i = 0; i < 3; i++) assert.equal(await scanOnce(f.deps), 0);
  assert.equal((await cursorRow()).xmax, first.xmax);
  // A message younger than the grace is not due yet; once older, it is scanned and the cursor moves.
  const m = (await messages.send(f.deps, f.actor("alice"), {
    channelId: general.id,
    clientId: "n1",
    body: "hi @bob",
  }))
    .message;
  assert.equal(await scanOnce(f.deps), 0);
  assert.equal((await cursorRow()).xmax, first.xmax);
  await db.query("UPDATE messages SET created_at = now() - interval '1 hour' WHERE id = $1", [m.id]);
  assert.equal(await scanOnce(f.deps), 1);
  assert.equal(Number((await cursorRow()).id), m.id);
});
