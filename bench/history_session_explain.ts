/**
 * Postgres' own time for a history page's statements on the probe's filled database (bench/README.md, "The
 * latest history page in one round trip", fourteenth pass): `EXPLAIN (ANALYZE, TIMING OFF)` of the session
 * read (`usersRepo.bySession`) plus the page (`messagesRepo.pageWithAccessSql`), against the one statement
 * that reads both (`messagesRepo.pageWithSessionSql`), alternating, over the probe's channels in turn.
 *
 *   flock /tmp/bench.lock deno run -A bench/history_session_explain.ts [--n=200] [--rounds=3]
 *
 * Needs `DATABASE_URL` (the cluster `bench/history_tail.ts --channels=1000 --reuse` filled); prints the
 * median execution + planning ms of each variant per round.
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
// `usersRepo.bySession`'s statement (the same columns, prefixed).
const BY_SESSION = `SELECT ${S_PREFIXED} FROM ${liveSessionJoin("$1")}`;
const ms = async (text: string, params: unknown[]) => {
  const rows = await sql.unsafe(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${text}`, params as never[]);
  const plan = (rows[0]["QUERY PLAN"] as { "Execution Time": number; "Planning Time": number }[])[0];
  return plan["Execution Time"] + plan["Planning Time"];
};
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const channels = (saved.targets as [number, number][]).map(([c]) => c);
for (let r = 0; r < rounds; r++) {
  const two: number[] = [], one: number[] = [];
  for (let i = 0; i < n; i++) {
    const ch = channels[(i * 7919) % channels.length];
    if (i % 2 === 0) {
      two.push(
        await ms(BY_SESSION, [hash]) + await ms(pageWithAccessSql(false), [ws, ch, userId, null, 51]),
      );
      one.push(await ms(pageWithSessionSql(false), [hash, ch, null, 51]));
    } else {
      one.push(await ms(pageWithSessionSql(false), [hash, ch, null, 51]));
      two.push(
        await ms(BY_SESSION, [hash]) + await ms(pageWithAccessSql(false), [ws, ch, userId, null, 51]),
      );
    }
  }
  console.log(
    JSON.stringify({ round: r + 1, two_statements_ms_p50: med(two), one_statement_ms_p50: med(one), n }),
  );
}
await sql.end();
