/**
 * A socket's presence subscription (`presence_sub`, or `presenceSub` in the hello): which people's
 * presence changes it receives. The ids are checked in the domain (`presence.subscriptionIds`); the read
 * keeps only people of the actor's workspace, so another workspace's presence never reaches the socket.
 */
import * as presence from "../../domain/presence.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import type { PresenceInfo } from "../protocol.ts";
import type { Connection, Hub } from "./hub.ts";

/**
 * Replaces the socket's subscription with `ids` (null keeps it) and returns those people's presence now.
 * The hub follows the ids before the read, so no change published between the read and the ack is missed;
 * ids the read did not find (another workspace, nobody, deactivated) are dropped afterwards.
 */
export async function followPresence(
  deps: Deps,
  hub: Hub,
  actor: Actor,
  conn: Connection,
  ids: number[] | null,
  /** How to read them (the gateway's hello reads with the other sockets connecting at the same moment). */
  read: (actor: Actor, ids: number[]) => Promise<PresenceInfo[]> = (a, i) =>
    presence.ofSubscription(deps, a, i),
): Promise<PresenceInfo[]> {
  if (ids !== null) hub.followPresence(conn, ids);
  const asked = ids ?? [...conn.follows];
  const now = await read(actor, asked);
  if (now.length !== asked.length) {
    const found = new Set(now.map((p) => p.userId));
    hub.unfollowPresence(conn, asked.filter((id) => !found.has(id)));
  }
  return now;
}
