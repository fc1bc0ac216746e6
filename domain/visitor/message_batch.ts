/**
 * Group commit for visitor-chat messages, as `send_batch.ts` does for staff sends: visitor messages and
 * agent replies and notes that arrive while a batch is being stored wait for the next batch, and each
 * batch is one statement, so one round trip and one commit for all of them: it checks the conversation
 * (not ended; an agent must hold it), numbers and stores the messages and moves the author's "seen"
 * position. That replaces a transaction of six round trips per message (seven with the agent's check).
 *
 * The guarantees stay those of the one-at-a-time path: nothing is acknowledged before the commit; events
 * are published after it, in sequence order; a retried client id returns the stored message (the
 * statement leaves it out and the one-at-a-time path finds it); and anything the statement leaves out — an
 * ended conversation, one held by someone else, any error — is answered by the one-at-a-time path, which
 * explains it. One refused message never refuses the others of its batch.
 */
import * as batchRepo from "../../db/repos/visitor_message_batch.ts";
import type { VisitorMessage } from "../../realtime/visitor_protocol.ts";
import type { Envelope } from "../../realtime/protocol.ts";
import type { CoreDeps } from "../deps.ts";
import { GroupCommit } from "../group_commit.ts";
import { MONITOR_ROLES, toVisitor } from "./publish.ts";

export type VisitorBatchItem = batchRepo.BatchVisitorMessage;

/** Stored (and published), or left to the one-at-a-time path. */
export type VisitorBatchOutcome = { stored: true; message: VisitorMessage } | { stored: false };

/** Most messages per statement; batches in flight follow the staff batcher's `SEND_BATCHES_IN_FLIGHT`. */
const MAX_BATCH = 256;

/** One per server, built in `main.ts` and reached as `deps.visitorBatcher`. */
export class VisitorMessageBatcher {
  #group: GroupCommit<VisitorBatchItem, VisitorBatchOutcome>;
  constructor(private deps: CoreDeps) {
    this.#group = new GroupCommit((items) => this.#store(items), {
      maxBatch: MAX_BATCH,
      inFlight: () => deps.config.limits.sendBatchesInFlight,
      // Each batch locks its conversations' rows: batches in flight never share one.
      key: (m) => m.conversationId,
    });
  }

  /** Stores a message with others arriving at the same time, or says it must go the one-at-a-time way. */
  submit(m: VisitorBatchItem): Promise<VisitorBatchOutcome> {
    return this.#group.submit(m);
  }

  async #store(all: VisitorBatchItem[]): Promise<VisitorBatchOutcome[]> {
    const out: VisitorBatchOutcome[] = all.map(() => ({ stored: false }));
    // The same client id twice in one batch: the later ones go the one-at-a-time way (they are retries).
    const seen = new Set<string>();
    const picked: number[] = [];
    all.forEach((m, i) => {
      const k = `${m.conversationId}:${m.kind}:${m.clientId}`;
      if (!seen.has(k)) {
        seen.add(k);
        picked.push(i);
      }
    });
    let rows: batchRepo.StoredVisitorMessage[];
    try {
      rows = await batchRepo.insertVisitorBatch(this.deps.db, picked.map((i) => all[i]), MONITOR_ROLES);
    } catch {
      // A client id stored meanwhile, a lost connection: nothing was committed.
      return out;
    }
    // After the commit: publish in sequence order, then answer.
    const envs: Envelope[] = [];
    for (const { index, message, agentId, monitorIds } of rows) {
      const m = all[picked[index]];
      const event = { type: "visitor_message" as const, conversationId: m.conversationId, message };
      if (m.kind !== "note") {
        envs.push({ event, audience: toVisitor(m.conversationId), workspaceId: m.workspaceId });
      }
      const staff = new Set(monitorIds);
      if (agentId) staff.add(agentId);
      envs.push({ event, audience: { kind: "users", userIds: [...staff] }, workspaceId: m.workspaceId });
      out[picked[index]] = { stored: true, message };
    }
    if (envs.length) this.deps.bus.publish(envs);
    return out;
  }
}
