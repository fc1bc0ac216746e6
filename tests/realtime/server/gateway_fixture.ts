/**
 * The gateway's side of a test without sockets: a real hub fed by the real bus, the real connect reads, a
 * channel "general" of alice and bob, and `say` for bob's messages to it. Sockets are `Sink`s that record what
 * the hub writes to them.
 */
import type { Db } from "../../../db/client.ts";
import { fixture } from "../../helpers/fixture.ts";
import * as channels from "../../../domain/channels.ts";
import * as messages from "../../../domain/messages.ts";
import { connectReads } from "../../../domain/connect_reads.ts";
import { Hub, type Socket } from "../../../realtime/server/hub.ts";

export type Frame = Record<string, unknown> & { type: string };

/** A socket that keeps every frame written to it, parsed. */
export class Sink implements Socket {
  frames: Frame[] = [];
  bufferedAmount = 0;
  send(data: string) {
    this.frames.push(JSON.parse(data));
  }
  close() {}
  seqs = () => this.frames.filter((f) => typeof f.seq === "number").map((f) => f.seq as number);
}

export async function gatewayFixture(db: Db) {
  const f = await fixture(db);
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  let n = 0;
  const say = (body: string) =>
    messages.send(f.deps, f.actor("bob"), { channelId: general.id, clientId: `c${++n}`, body });
  const hub = new Hub({ sendBufferSoftBytes: 1 << 20, sendBufferHardBytes: 1 << 22 });
  const off = f.deps.bus.subscribe((env) => hub.deliver(env));
  return { f, general, say, hub, off, reads: connectReads(f.deps) };
}
