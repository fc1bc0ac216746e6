import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import { AppError } from "../../domain/errors.ts";

dbTest("send is idempotent per client id and 409s on different content", async (db) => {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id],
  });
  const a = f.actor("alice");
  const first = await messages.send(f.deps, a, { channelId: ch.id, clientId: "k1", body: "hi" });
  const again = await messages.send(f.deps, a, { channelId: ch.id, clientId: "k1", body: "hi" });
  assert.equal(first.created, true);
  assert.equal(again.created, false);
  assert.equal(again.message.id, first.message.id);
  await assert.rejects(
    messages.send(f.deps, a, { channelId: ch.id, clientId: "k1", body: "other" }),
    (e: AppError) => e.status === 409,
  );
  const page = await messages.history(f.deps, a, ch.id, {});
  assert.equal(page.messages.length, 1);
});

dbTest("concurrent sends with one key store one row and gap-free sequences", async (db) => {
  const f = await fixture(db);
  const ch = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id],
  });
  const a = f.actor("alice");
  const results = await Promise.all(
    Array.from(
      { length: 20 },
      () => messages.send(f.deps, a, { channelId: ch.id, clientId: "same", body: "x" }),
    ),
  );
  assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
  assert.equal(results.filter((r) => r.created).length, 1);
  await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => messages.send(f.deps, a, { channelId: ch.id, clientId: `k${i}`, body: `m${i}` }),
    ),
  );
  const seqs = f.published.filter((e) => e.event.type === "message_received").map((e) =>
    (e.event as { seq: number }).seq
  )
    .sort((x, y) => x - y);
  assert.deepEqual(seqs, Array.from({ length: 21 }, (_, i) => i + 1));
});
