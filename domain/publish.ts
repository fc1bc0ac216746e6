/**
 * Transactions that publish: collect events while the transaction runs, publish them only after it commits.
 * Sequenced events take the channel's next sequence number and are appended to the event log in the same
 * transaction, so replay from the database sees exactly what live clients saw.
 */
import type { Sql } from "../db/client.ts";
import * as channelsRepo from "../db/repos/channels.ts";
import * as messagesRepo from "../db/repos/messages.ts";
import type { Audience, Envelope, EphemeralEvent, SequencedEvent } from "../realtime/protocol.ts";
import type { Deps } from "./deps.ts";

export interface Tx {
  sql: Sql;
  /** Takes the next sequence number of the channel, stores the event in the log, queues it for publishing. */
  sequenced<E extends SequencedEvent>(
    workspaceId: number,
    channelId: number,
    build: (seq: number) => E | Promise<E>,
    opts?: { newMessage?: boolean },
  ): Promise<E>;
  emit(workspaceId: number, event: EphemeralEvent, audience: Audience, exceptConnection?: string): void;
}

export async function withTx<T>(deps: Deps, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const out: Envelope[] = [];
  const result = await deps.db.tx(async (sql) => {
    out.length = 0;
    const tx: Tx = {
      sql,
      async sequenced(workspaceId, channelId, build, opts) {
        const seq = await channelsRepo.nextSeq(sql, channelId, opts?.newMessage ?? false);
        const event = await build(seq);
        await messagesRepo.appendEvent(sql, workspaceId, event);
        out.push({ event, audience: { kind: "channel", channelId }, workspaceId });
        return event;
      },
      emit(workspaceId, event, audience, exceptConnection) {
        out.push({ event, audience, workspaceId, exceptConnection });
      },
    };
    return await fn(tx);
  });
  if (out.length) deps.bus.publish(out.slice());
  return result;
}

/** Publishes events that need no transaction (typing, presence). */
export function publishNow(deps: Deps, envs: Envelope[]) {
  deps.bus.publish(envs);
}
