/** The rows of a message log: day separators, the unread divider, message group starts, pending sends. */
import type { Message } from "../../realtime/protocol.ts";
import type { OutboxItem } from "../../realtime/client.ts";
import { fmtDay } from "../../i18n/mod.ts";

const GROUP_MS = 5 * 60 * 1000;

/** Parsed times and day keys per message object (rows are rebuilt often; messages rarely change). */
const when = new WeakMap<Message, { time: number; day: string }>();
function timeOf(m: Message) {
  let w = when.get(m);
  if (!w) {
    const d = new Date(m.createdAt);
    when.set(m, w = { time: d.getTime(), day: d.toDateString() });
  }
  return w;
}

export type Row =
  | { kind: "day"; key: string; label: string }
  | { kind: "new"; key: string }
  | { kind: "msg"; key: string; m: Message; first: boolean }
  | { kind: "out"; key: string; o: OutboxItem; first: boolean };

/**
 * Builds display rows. The unread divider goes before the first message after `newAfterSeq` written by
 * someone else (your own messages are never "new" to you); null draws none.
 */
export function buildRows(
  messages: Message[],
  outbox: OutboxItem[],
  me: number | undefined,
  newAfterSeq: number | null,
): Row[] {
  const rows: Row[] = [];
  let prevSender: number | null | undefined;
  let prevTime = 0;
  let prevDay = "";
  let dividerDone = newAfterSeq === null;
  for (const m of messages) {
    const { time, day } = timeOf(m);
    let first = m.senderId !== prevSender || time - prevTime > GROUP_MS;
    if (day !== prevDay) {
      rows.push({ kind: "day", key: `day-${day}`, label: fmtDay(new Date(time)) });
      prevDay = day;
      first = true;
    }
    if (!dividerDone && m.seq > newAfterSeq! && m.senderId !== me) {
      rows.push({ kind: "new", key: "new" });
      dividerDone = true;
      first = true;
    }
    rows.push({ kind: "msg", key: `m-${m.id}`, m, first });
    prevSender = m.senderId;
    prevTime = time;
  }
  for (const o of outbox) {
    const first = prevSender !== me || o.state === "failed";
    rows.push({ kind: "out", key: `o-${o.clientId}`, o, first });
    prevSender = me;
  }
  return rows;
}
