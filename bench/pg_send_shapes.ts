/**
 * Which part of the grouped send statement costs what: `PER=1 deno run -A bench/pg_send_shapes.ts`
 * (PER: messages per statement). A throw-away cluster (fsync on, synchronous commit), one connection, the
 * statement of `db/repos/message_batch.ts` as is and with one part taken out at a time (the explicit channel
 * lock, the sender's read position, the event-log insert, the retry check), in alternating blocks, 5 rounds
 * of 150 statements; the backend's CPU per statement (exact, from the scheduler), median and each round. A
 * probe: the shapes without a part are not correct sends (no event, no read position …).
 */
import { insertBatch } from "../db/repos/message_batch.ts";
import type { Db } from "../db/client.ts";
import { benchSends, costCluster } from "./lib/cost_cluster.ts";
import { runNanos } from "./lib/cpu.ts";

const per = Number(Deno.env.get("PER") ?? 1);
const c = await costCluster("shapes", { slug: "sh", users: 400, group: 20, tokenPrefix: "sh-" });
const { cluster, sql, fx, ws } = c;
const db = c.db;
const sends = benchSends(fx, ws, "s");
try {
  const [{ backend }] = await db.query<{ backend: number }>("SELECT pg_backend_pid() AS backend");
  // The statement's text, as the repo sends it.
  let text = "";
  const capture = { query: (t: string) => (text = t, Promise.resolve([])) } as unknown as Db;
  await insertBatch(capture, sends(1), "control.maintenance");
  const swap = (t: string, from: string, to: string, put: string) => {
    const a = t.indexOf(from);
    const b = t.indexOf(to, a);
    if (a < 0 || b < 0) throw new Error(`no ${from} in the statement`);
    return t.slice(0, a) + put + t.slice(b);
  };
  const shapes: Record<string, string> = {
    "as is": text,
    "locked without FOR UPDATE": swap(
      text,
      "locked AS (",
      "bumped AS (",
      "locked AS (SELECT c.id FROM channels c WHERE c.id IN (SELECT channel_id FROM ok)),\n     ",
    ),
    "no read-position update (rd)": swap(text, "rd AS (", "ev AS (", "rd AS (SELECT 1),\n     "),
    "no event-log insert (ev)": swap(text, "ev AS (", "SELECT n.ord", "ev AS (SELECT 1)\n     "),
    "no retry check": text.replace(
      /AND NOT EXISTS \(SELECT 1 FROM messages x WHERE x.sender_id = i.sender_id AND x.client_id = i.client_id\)/,
      "",
    ),
  };
  for (const [n, t] of Object.entries(shapes)) {
    if (n !== "as is" && t === text) throw new Error(`unchanged: ${n}`);
  }
  const params = (n: number) => {
    const s = sends(n);
    return [
      s.map((_, i) => i),
      s.map((x) => x.workspaceId),
      s.map((x) => x.channelId),
      s.map((x) => x.senderId),
      s.map((x) => x.clientId),
      s.map((x) => x.type),
      s.map((x) => x.body),
      s.map(() => 0),
      s.map(() => 0),
      "control.maintenance",
    ];
  };
  const names = Object.keys(shapes);
  const res: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) for (let i = 0; i < 20; i++) await db.query(shapes[n], params(1)); // warm, plans
  for (let r = 0; r < 5; r++) {
    for (const n of names) {
      const b0 = runNanos(backend);
      for (let i = 0; i < 150; i++) await db.query(shapes[n], params(per));
      res[n].push((runNanos(backend) - b0) / 1e3 / 150);
    }
  }
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${per} messages per statement; backend µs per statement, median (each round)`);
  for (const n of names) {
    console.log(
      `${n.padEnd(30)} ${median(res[n]).toFixed(0).padStart(6)} (${
        res[n].map((x) => x.toFixed(0)).join(" ")
      })`,
    );
  }
  await sql.end();
  await db.close();
} finally {
  await cluster.stop();
}
