/**
 * What one notification scan costs in a large channel: a channel of N members (all online, as in the
 * fan-out workload), M messages from one sender past the grace, then the scan of those M messages, R times
 * (the cursor and what a scan wrote are reset between rounds). Prints the median and each round's wall time
 * (PGlite runs in this process, so that is the scan's CPU: the scanner's JavaScript and the database's).
 *
 *   deno run -A bench/notify_scan_cost.ts [members=1000] [messages=200] [rounds=7] [level=mentions|all]
 *
 * `level=all` sets every member's level in the channel to "all" (each message then concerns everyone).
 * A round scans until caught up (more than one scan when M is above the scanner's batch), as the worker does
 * under load. `ENGINE=postgres` runs it on Postgres (`TEST_DATABASE_URL`, as the tests; wall time is then the
 * scans' round trips, the scanner's JavaScript and the backends' work).
 */
import { engines } from "../tests/helpers/db.ts";
import { fixture } from "../tests/helpers/fixture.ts";
import * as channels from "../domain/channels.ts";
import * as messages from "../domain/messages.ts";
import { scanOnce } from "../domain/notifications/scan.ts";

const [members = 1000, count = 200, rounds = 7] = Deno.args.slice(0, 3).map(Number);
const level = Deno.args[3] ?? "mentions";
const engine = engines.find((e) => e.name === (Deno.env.get("ENGINE") ?? "pglite"));
if (!engine) throw new Error("ENGINE=postgres needs TEST_DATABASE_URL");
const db = await engine.open();
const f = await fixture(db);
// The messages are the fixture, not the thing measured: no send limit for them.
(f.deps.config.limits as { sendsPerMinute: number }).sendsPerMinute = 1_000_000;
const general = await channels.create(f.deps, f.actor("mod"), {
  name: "general",
  memberIds: [f.users.alice.id],
});
await db.query(
  `WITH u AS (
     INSERT INTO users (workspace_id, username, display_name) SELECT $1, 'u' || i, 'U ' || i
     FROM generate_series(1, $2::int) i RETURNING id)
   INSERT INTO members (channel_id, user_id, workspace_id) SELECT $3, id, $1 FROM u`,
  [f.ws, members - 2, general.id],
);
await db.query(
  `INSERT INTO connections (id, user_id, workspace_id, instance_id)
   SELECT 'c' || user_id, user_id, workspace_id, 'probe' FROM members WHERE channel_id = $1`,
  [general.id],
);
if (level === "all") {
  await db.query(
    `INSERT INTO notification_levels (user_id, channel_id, level) SELECT user_id, $1, 'all' FROM members
     WHERE channel_id = $1`,
    [general.id],
  );
}
await scanOnce(f.deps); // the cursor starts at the newest message (none)
for (let i = 0; i < count; i++) {
  await messages.send(f.deps, f.actor("alice"), {
    channelId: general.id,
    clientId: `p${i}`,
    body: `message ${i}`,
  });
}
await db.query("UPDATE messages SET created_at = now() - interval '1 hour'");
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  await db.query("UPDATE notification_cursor SET last_message_id = 0");
  await db.query("DELETE FROM notification_items");
  await db.query("UPDATE connections SET seen_at = now()");
  const t0 = performance.now();
  let n = 0, scans = 0;
  for (let got; (got = await scanOnce(f.deps)) > 0; scans++) n += got;
  times.push(performance.now() - t0);
  if (n !== count) throw new Error(`scanned ${n}, expected ${count}`);
  if (r === 0) console.log(`${scans} scans per round`);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `members ${members}, messages ${count}, level ${level}: scan median ${sorted[rounds >> 1].toFixed(1)} ms ` +
    `(${(sorted[rounds >> 1] * 1000 / count).toFixed(0)} µs per message); rounds ${
      times.map((t) => t.toFixed(1)).join(" ")
    }`,
);
await db.close();
Deno.exit(0);
