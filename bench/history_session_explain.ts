/**
 * Postgres' own time for a history page's statements on the probe's filled database
 * (bench/notes/history_page.md, "The latest history page in one round trip", fourteenth pass): the session
 * read (`usersRepo.bySession`'s statement) plus the page (`messagesRepo.pageWithAccessSql`), against the one
 * statement that reads both (`messagesRepo.pageWithSessionSql`). Each is a prepared statement, as postgres.js
 * makes them, run 10 times first (Postgres then keeps a generic plan: no planning per execution, as in the
 * server); then `EXPLAIN (ANALYZE, TIMING OFF) EXECUTE` of each, alternating, over the probe's channels in
 * turn.
 *
 *   flock /tmp/bench.lock deno run -A bench/history_session_explain.ts [--n=200] [--rounds=3]
 *
 * Needs `DATABASE_URL` (the cluster `bench/history_tail.ts --channels=1000 --reuse` filled); prints the
 * median planning + execution ms of each variant per round.
 */
import { connectSql } from "./lib/fixtures.ts";
import { pageWithAccessSql, pageWithSessionSql } from "../db/repos/messages.ts";
import { liveSessionJoin, S_PREFIXED } from "../db/repos/users.ts";
import { sha256 } from "../domain/auth.ts";

const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const n = Number(opt("n") ?? 200);
const rounds = Number(opt("rounds") ?? 3);
const url = Deno.env.get("DATABASE_URL");
if (!url) throw new Error("DATABASE_URL: the cluster bench/history_tail.ts filled");
const saved = JSON.parse(await Deno.readTextFile(`/tmp/history-tail-${new URL(url).port}-1000.json`));
const sql = connectSql(saved.dbUrl);
const hash = await sha256(saved.token);
const [{ user_id: userId, workspace_id: ws }] = await sql`SELECT user_id, workspace_id FROM sessions
  WHERE token_hash = ${hash}`;
const channels = (saved.targets as [number, number][]).map(([c]) => c);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await sql.begin(async (tx) => {
  // `usersRepo.bySession`'s statement (the same columns, prefixed).
  await tx.unsafe(`PREPARE sess(text) AS SELECT ${S_PREFIXED} FROM ${liveSessionJoin("$1")}`);
  await tx.unsafe(`PREPARE page(bigint, bigint, bigint, bigint, int) AS ${pageWithAccessSql(false)}`);
  await tx.unsafe(`PREPARE one(text, bigint, bigint, int) AS ${pageWithSessionSql(false)}`);
  const calls = (ch: number) => ({
    sess: `sess('${hash}')`,
    page: `page(${ws}, ${ch}, ${userId}, NULL, 51)`,
    one: `one('${hash}', ${ch}, NULL, 51)`,
  });
  const ms = async (call: string) => {
    const rows = await tx.unsafe(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE ${call}`);
    const plan = (rows[0]["QUERY PLAN"] as { "Execution Time": number; "Planning Time": number }[])[0];
    return plan["Execution Time"] + plan["Planning Time"];
  };
  for (let i = 0; i < 10; i++) {
    for (const c of Object.values(calls(channels[i]))) await tx.unsafe(`EXECUTE ${c}`);
  }
  for (let r = 0; r < rounds; r++) {
    const sess: number[] = [], page: number[] = [], one: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = calls(channels[(i * 7919) % channels.length]);
      if (i % 2 === 0) {
        sess.push(await ms(c.sess)), page.push(await ms(c.page)), one.push(await ms(c.one));
      } else {
        one.push(await ms(c.one)), sess.push(await ms(c.sess)), page.push(await ms(c.page));
      }
    }
    const two = sess.map((s, i) => s + page[i]);
    console.log(JSON.stringify({
      round: r + 1,
      n,
      session_ms_p50: med(sess),
      page_ms_p50: med(page),
      two_statements_ms_p50: med(two),
      one_statement_ms_p50: med(one),
    }));
  }
});
await sql.end();
