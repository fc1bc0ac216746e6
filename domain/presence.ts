/**
 * Presence: online, away, busy, offline, with custom status text and an away message. Several tabs are one
 * user with N connections (across instances, counted in the database); a user goes offline only when the
 * last connection has gone and a short grace period has passed. Changes reach only the sockets subscribed
 * to the person (`presence_sub`, Slack's model): a client follows the people it shows presence for.
 */
import { z } from "zod";
import * as connectionsRepo from "../db/repos/connections.ts";
import * as usersRepo from "../db/repos/users.ts";
import type { PresenceInfo, PresenceStatus } from "../realtime/protocol.ts";
import type { Actor, CoreDeps, Deps } from "./deps.ts";
import { coalescing } from "./coalesce.ts";
import { parse } from "./validate.ts";

export const GRACE_MS = 5_000;

/** A status change: the same rules whether it comes over REST (`PUT /me/status`) or the socket. */
export const StatusInput = z.object({
  status: z.enum(["online", "away", "busy", "offline"]).optional(),
  statusText: z.string().trim().max(100).optional(),
  awayMessage: z.string().trim().max(200).optional(),
}).strict();

/** The socket's `update_presence`: a status change and/or the page the tab is on. */
export const PresenceInput = StatusInput.extend({ page: z.string().max(300).optional() }).strict();

/** What others see: offline without a live connection, "online" for a stored "offline" with one. */
export function effectivePresence(p: PresenceInfo): PresenceInfo {
  const status: PresenceStatus = p.connections === 0
    ? "offline"
    : p.status === "offline"
    ? "online"
    : p.status;
  return { ...p, status };
}

/**
 * How long presence changes of a workspace are gathered before they go out as one event. When many people
 * connect at once (a deploy, a network blip, the start of the working day) each subscriber would otherwise
 * get a frame for every person it follows who arrives: this turns them into a few frames per second.
 */
export const ANNOUNCE_WINDOW_MS = 150;

/**
 * Gathers who changed per workspace; one query and one `presence_updated` per workspace per window, which
 * the hub splits among the sockets subscribed to the people in it. A user
 * added `ifOffline` (the grace period after their last connection closed) is announced only if they have no
 * live connection by then, unless something else about them changed in the same window.
 */
class Announcer {
  #pending = new Map<number, Map<number, boolean>>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  constructor(private deps: CoreDeps) {}

  add(workspaceId: number, userId: number, ifOffline = false) {
    let users = this.#pending.get(workspaceId);
    if (!users) this.#pending.set(workspaceId, users = new Map());
    users.set(userId, (users.get(userId) ?? true) && ifOffline);
    this.#timer ??= setTimeout(() => void this.#flush(), ANNOUNCE_WINDOW_MS);
  }

  async #flush() {
    const pending = this.#pending;
    this.#pending = new Map();
    try {
      for (const [workspaceId, ids] of pending) {
        const users = (await connectionsRepo.presenceOf(this.deps.db, workspaceId, [...ids.keys()]))
          .filter((p) => !ids.get(p.userId) || p.connections === 0)
          .map(effectivePresence);
        if (!users.length) continue;
        this.deps.bus.publish([{
          event: { type: "presence_updated", users },
          audience: { kind: "presence_subscribers" },
          workspaceId,
        }]);
      }
    } catch { /* shutting down: presence is soft state, the next change or hello corrects it */ }
    this.#timer = null;
    if (this.#pending.size) this.#timer = setTimeout(() => void this.#flush(), ANNOUNCE_WINDOW_MS);
  }
}

/** Per server: the announcer and the grouped writers of connection rows. */
export interface PresenceWriters {
  announcer: Announcer;
  remove(id: string): Promise<void>;
}

/** Builds a server's presence writers (called once, in `main.ts`). */
export function presenceWriters(deps: CoreDeps): PresenceWriters {
  return {
    announcer: new Announcer(deps),
    remove: coalescing((ids) => connectionsRepo.removeMany(deps.db, ids)),
  };
}

const writers = (deps: Deps): PresenceWriters => deps.presenceWriters;

function announce(deps: Deps, workspaceId: number, userId: number) {
  writers(deps).announcer.add(workspaceId, userId);
}

/** The connection row of a socket opening now (stored by `connect_reads.ts` `opened`). */
export function connectionRow(
  deps: Deps,
  actor: Actor,
  connId: string,
  page: string,
  userAgent: string,
): connectionsRepo.NewConnection {
  return {
    id: connId,
    userId: actor.userId,
    workspaceId: actor.workspaceId,
    instanceId: deps.config.instanceId,
    page,
    userAgent,
  };
}

/**
 * Announces the user once the socket's connection row is stored: `stored` is that write (the gateway stores
 * the row with the socket's unread counts, grouped with the other sockets opening at the same moment:
 * `connect_reads.ts` `opened`).
 */
export async function connected(deps: Deps, actor: Actor, stored: Promise<unknown>) {
  await stored;
  announce(deps, actor.workspaceId, actor.userId);
}

/**
 * Forgets the connection (grouped like `connected`); the user is announced offline after the grace period
 * if nothing reconnected by then.
 */
export async function disconnected(deps: Deps, actor: Actor, connId: string, graceMs = GRACE_MS) {
  const w = writers(deps);
  await w.remove(connId);
  const check = () => w.announcer.add(actor.workspaceId, actor.userId, true);
  if (graceMs <= 0) check();
  else setTimeout(check, graceMs);
}

/**
 * Stores the chosen status, custom status text and away message and announces the person to the
 * workspace. Both transports call this: `PUT /api/chat/me/status` and the socket's `update_presence`.
 */
export async function setStatus(deps: Deps, actor: Actor, input: unknown) {
  const { page: _page, ...p } = parse(PresenceInput, input);
  if (p.status === undefined && p.statusText === undefined && p.awayMessage === undefined) return;
  deps.limiter.take(`presence:${actor.userId}`, 60, "Too many status changes");
  await usersRepo.updateStatus(deps.db, actor.userId, p);
  announce(deps, actor.workspaceId, actor.userId);
}

/** Stores the page a connection reports (the admin's connection list shows it). */
export async function reportPage(deps: Deps, connId: string, page: unknown) {
  const p = parse(PresenceInput.pick({ page: true }), { page });
  if (p.page !== undefined) await connectionsRepo.setPage(deps.db, connId, p.page);
}

/** The socket's `update_presence`: status change (also automatic away after inactivity) and/or page. */
export async function update(deps: Deps, actor: Actor, connId: string, input: unknown) {
  const p = parse(PresenceInput, input);
  if (p.page !== undefined) await reportPage(deps, connId, p.page);
  await setStatus(deps, actor, p);
  return await one(deps, actor, actor.userId);
}

export async function one(deps: Deps, actor: Actor, userId: number): Promise<PresenceInfo | null> {
  const [p] = await connectionsRepo.presenceOf(deps.db, actor.workspaceId, [userId]);
  return p ? effectivePresence(p) : null;
}

/** How many people one socket may follow (a sidebar's direct messages, an open list, a profile). */
export const MAX_PRESENCE_SUBS = 500;

const PresenceSubInput = z.array(z.number().int().positive("user ids are positive integers"))
  .max(MAX_PRESENCE_SUBS, `at most ${MAX_PRESENCE_SUBS} people`);

/** The ids of a `presence_sub` (or a hello's `presenceSub`), checked and without repeats. */
export function subscriptionIds(userIds: unknown): number[] {
  return [...new Set(parse(PresenceSubInput, userIds))];
}

/**
 * The presence of the people a socket subscribes to, limited to the actor's workspace: ids of other
 * workspaces (or of nobody) are left out, and the caller keeps only the ids returned.
 */
export async function ofSubscription(deps: Deps, actor: Actor, ids: number[]): Promise<PresenceInfo[]> {
  if (!ids.length) return [];
  return (await connectionsRepo.presenceOf(deps.db, actor.workspaceId, ids)).map(effectivePresence);
}

/** Everyone's presence in the actor's workspace (REST `GET /presence`). */
export async function snapshot(deps: Deps, actor: Actor): Promise<PresenceInfo[]> {
  return (await connectionsRepo.presenceOf(deps.db, actor.workspaceId, null)).map(effectivePresence);
}

export async function heartbeat(deps: Deps, connIds: string[]) {
  await connectionsRepo.touch(deps.db, connIds);
}
