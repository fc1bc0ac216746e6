/**
 * What a socket reads when it connects (its session at the upgrade; its unread counts and the presence of the
 * people it follows at hello), read for every socket connecting at the same moment in one statement each.
 *
 * A crowd connecting at once (a deploy, a network blip, the start of the working day) otherwise costs a few
 * statements per socket: each a write to Postgres, a round trip and a result to decode. Reads are grouped
 * like the connection-row writes (`GroupCommit`): a lone socket's read goes out at once, and those that
 * arrive while a read is running go out together next. Nothing is cached: the session is read at every
 * upgrade, so a revoked session never opens a socket.
 */
import * as channelsRepo from "../db/repos/channels.ts";
import * as connectionsRepo from "../db/repos/connections.ts";
import * as usersRepo from "../db/repos/users.ts";
import type { PresenceInfo } from "../realtime/protocol.ts";
import { actorFromUser, sha256 } from "./auth.ts";
import type { Actor, Deps } from "./deps.ts";
import { GroupCommit } from "./group_commit.ts";
import type { Permission } from "./permissions.ts";
import { effectivePresence } from "./presence.ts";

/** Most sockets read in one statement. */
const MAX_BATCH = 200;
/** Statements of one kind running at once (reads do not conflict; two keep a batch from waiting long). */
const IN_FLIGHT = () => 2;
/**
 * A batch has this long to itself before a second one starts beside it (`GroupCommit.holdMs`): a crowd's
 * reads wait for the running statement and go out together after it, about half the statements of two
 * always in flight (each one a write to Postgres that wakes a backend on a busy machine, and a result to
 * decode); a read slower than this (a stalled backend) still does not hold the others up for longer.
 */
const HOLD_MS = () => 10;
/** Distinct permission sets kept for sharing (a workspace has a few roles; this only bounds the map). */
const MAX_SHARED = 1000;

export interface ConnectReads {
  /** The actor and channel ids of a session token; null when unknown, ended, expired or deactivated. */
  session(token: string | null | undefined): Promise<{ actor: Actor; channelIds: number[] } | null>;
  /**
   * Stores an opening socket's connection row and reads its actor's unread counts, in one statement with
   * the other sockets opening at the same moment; settles once the row is committed.
   */
  opened(actor: Actor, row: connectionsRepo.NewConnection): Promise<channelsRepo.UnreadCount[]>;
  /** The actor's unread counts in every channel (what `unread_counts` carries). */
  unreadCounts(actor: Actor): Promise<channelsRepo.UnreadCount[]>;
  /** The presence of these people, only those of the actor's workspace (by user id). */
  presence(actor: Actor, ids: number[]): Promise<PresenceInfo[]>;
}

/** Built once per gateway (per server). */
export function connectReads(deps: Deps): ConnectReads {
  /**
   * Sockets of people with the same role and permissions share one (never changed) permission set: with
   * 10,000 sockets a set per socket is memory spent on copies.
   */
  const shared = new Map<string, Set<Permission>>();
  const share = (a: Actor): Actor => {
    const key = `${a.role}:${[...a.permissions].sort().join(",")}`;
    const known = shared.get(key);
    if (known) return { ...a, permissions: known };
    if (shared.size >= MAX_SHARED) shared.clear();
    shared.set(key, a.permissions);
    return a;
  };

  const sessions = new GroupCommit<string, { actor: Actor; channelIds: number[] } | null>(async (hashes) => {
    const rows = await usersRepo.bySessionsWithChannels(deps.db, [...new Set(hashes)]);
    const byHash = new Map(rows.map((u) => [u.tokenHash, u]));
    return hashes.map((h) => {
      const u = byHash.get(h);
      if (!u || u.deactivatedAt) return null;
      return { actor: share(actorFromUser(u, h)), channelIds: u.channelIds };
    });
  }, { maxBatch: MAX_BATCH, inFlight: IN_FLIGHT, holdMs: HOLD_MS });

  const person = (workspaceId: number, userId: number) => `${workspaceId}:${userId}`;
  /** Each actor's counts from rows of `unreadCountsMany`'s shape. */
  const countsOf = (
    actors: Actor[],
    rows: (channelsRepo.UnreadCount & { userId: number; workspaceId: number })[],
  ) => {
    // A row per channel of each person (20 each for 200 sockets: 4,000), ordered by person: each person's
    // key is made once, and each count is the four fields `unread_counts` carries, in the row's order.
    const by = new Map<string, channelsRepo.UnreadCount[]>();
    let list: channelsRepo.UnreadCount[] = [], userId = -1, workspaceId = -1;
    for (const r of rows) {
      if (r.userId !== userId || r.workspaceId !== workspaceId) {
        ({ userId, workspaceId } = r);
        const k = person(workspaceId, userId);
        list = by.get(k) ?? [];
        by.set(k, list);
      }
      list.push({
        channelId: r.channelId,
        lastReadSeq: r.lastReadSeq,
        unread: r.unread,
        mentions: r.mentions,
      });
    }
    return actors.map((a) => by.get(person(a.workspaceId, a.userId)) ?? []);
  };
  const people = (actors: Actor[]) => actors.map((a) => ({ workspaceId: a.workspaceId, userId: a.userId }));
  /** The hello's read of the counts again (an event that changes them came before it). */
  const counts = new GroupCommit<Actor, channelsRepo.UnreadCount[]>(
    async (actors) => countsOf(actors, await channelsRepo.unreadCountsMany(deps.db, people(actors))),
    { maxBatch: MAX_BATCH, inFlight: IN_FLIGHT, holdMs: HOLD_MS },
  );
  /**
   * At the open: the connection rows and the counts together (`insertManyWithCounts`), where they were two
   * statements per group. Grouped as the rows were (one in flight, no hold): the hello waits for its row
   * before it reads presence, and for its counts.
   */
  const opens = new GroupCommit<
    { actor: Actor; row: connectionsRepo.NewConnection },
    channelsRepo.UnreadCount[]
  >(
    async (asks) => {
      const actors = asks.map((a) => a.actor);
      const rows = await connectionsRepo.insertManyWithCounts(
        deps.db,
        asks.map((a) => a.row),
        people(actors),
      );
      return countsOf(actors, rows);
    },
    { maxBatch: MAX_BATCH },
  );

  const presence = new GroupCommit<{ workspaceId: number; ids: number[] }, PresenceInfo[]>(async (asks) => {
    const rows = await connectionsRepo.presenceOfMany(
      deps.db,
      asks.flatMap((a) => a.ids.map((userId) => ({ workspaceId: a.workspaceId, userId }))),
    );
    // By user id (a person is of one workspace; a row is returned only for the workspace it was asked for).
    const by = new Map<number, { workspaceId: number; info: PresenceInfo }>();
    for (const { workspaceId, ...p } of rows) by.set(p.userId, { workspaceId, info: effectivePresence(p) });
    return asks.map((a) =>
      [...new Set(a.ids)].sort((x, y) => x - y).flatMap((id) => {
        const r = by.get(id);
        return r && r.workspaceId === a.workspaceId ? [r.info] : [];
      })
    );
  }, { maxBatch: MAX_BATCH, inFlight: IN_FLIGHT, holdMs: HOLD_MS });

  return {
    async session(token) {
      if (!token || token.length > 200) return null;
      return await sessions.submit(await sha256(token));
    },
    opened: (actor, row) => opens.submit({ actor, row }),
    unreadCounts: (actor) => counts.submit(actor),
    presence: async (actor, ids) =>
      ids.length ? await presence.submit({ workspaceId: actor.workspaceId, ids }) : [],
  };
}
