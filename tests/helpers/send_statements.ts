/**
 * Tests of the grouped send statement (domain/send_batch.ts, db/repos/message_batch.ts): a db whose grouped
 * statements are recorded with the channel of each send they carry, in order, while they run.
 */
import type { Db } from "../../db/client.ts";

/** An array parameter: the grouped statement's are array literals (`{3,5}`, numbers here). */
const arrayOf = (p: unknown): unknown[] =>
  typeof p === "string" ? p.slice(1, -1).split(",").filter((x) => x !== "") : p as unknown[];

/** The db with each grouped statement's channels recorded while it runs. */
export function watchStatements(db: Db) {
  const running: number[][] = [];
  const overlaps: number[] = [];
  const statements: number[][] = [];
  /** The most grouped statements running at once. */
  const most = { running: 0 };
  const watched = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== "query") return Reflect.get(target, prop, receiver);
      return async (text: string, params?: unknown[]) => {
        // The grouped statement (arrays: channels in $3), its shape for a few sends to distinct channels
        // (nine parameters a send, the channel second, then one more) or for a lone send (the channel in $2).
        const many = text.includes("unnest($1::int[]");
        const small = text.includes("WITH bumped0 AS (");
        const grouped = many || text.includes("UPDATE channels c SET last_seq = c.last_seq + 1");
        const chs = many
          ? arrayOf(params![2]).map(Number)
          : small
          ? params!.filter((_, i) => i % 9 === 1 && i < params!.length - 1).map(Number)
          : grouped
          ? [Number(params![1])]
          : [];
        if (grouped) {
          for (const r of running) overlaps.push(...chs.filter((c) => r.includes(c)));
          running.push(chs);
          statements.push(chs);
          most.running = Math.max(most.running, running.length);
        }
        try {
          return await target.query(text, params);
        } finally {
          if (grouped) running.splice(running.indexOf(chs), 1);
        }
      };
    },
  });
  return { watched, overlaps, statements, most };
}
