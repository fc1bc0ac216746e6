/**
 * What a socket reads when it connects (its session at the upgrade; its unread counts and the presence of the
 * people it follows at hello) and its connection row, for every socket connecting at the same moment: the
 * sessions in one statement, and the rows, counts and presence together in another (`opens`).
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
   * Stores an opening socket's connection row (settles once it is committed) and reads its actor's unread
   * counts, with the other sockets opening and the hellos reading at the same moment.
   */
  opened(actor: Actor, row: connectionsRepo.NewConnection): Promise<channelsRepo.UnreadCount[]>;
  /** The actor's unread counts in every channel (what `unread_counts` carries). */
  unreadCounts(actor: Actor): Promise<channelsRepo.UnreadCount[]>;
  /** The presence of these people, only those of the actor's workspace (by user id). */
  presence(actor: Actor, ids: number[]): Promise<PresenceInfo[]>;
}

/** One socket's part of a grouped statement: its row to store, whose counts to read, whose presence. */
interface OpenAsk {
  row: connectionsRepo.NewConnection | null;
  counts: Actor | null;
  presence: { workspaceId: number; ids: number[] } | null;
}
interface OpenAnswer {
  counts: channelsRepo.UnreadCount[];
  presence: PresenceInfo[];
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
  /**
   * The connection rows of opening sockets, their unread counts and the presence hellos ask for: one
   * statement for all of them (`connectionsRepo.openMany`), where they were three (a row insert, a counts
   * read, a presence read per group), each a write to Postgres and a result to decode.
   */
  const opens = new GroupCommit<OpenAsk, OpenAnswer>(async (asks) => {
    const rows: connectionsRepo.NewConnection[] = [];
    const people: { workspaceId: number; userId: number }[] = [];
    const named: { workspaceId: number; userId: number }[] = [];
    for (const a of asks) {
      if (a.row) rows.push(a.row);
      if (a.counts) people.push({ workspaceId: a.counts.workspaceId, userId: a.counts.userId });
      if (a.presence) {
        for (const userId of a.presence.ids) named.push({ workspaceId: a.presence.workspaceId, userId });
      }
    }
    const out = await connectionsRepo.openMany(deps.db, rows, people, named);
    // Counts come first, a row per channel of each person ordered by person: each person's key is made once,
    // and each count is the four fields `unread_counts` carries, in the row's order. Then presence, by user
    // id (a person is of one workspace; a row is returned only for the workspace it was asked for).
    const counts = new Map<string, channelsRepo.UnreadCount[]>();
    const seen = new Map<number, { workspaceId: number; info: PresenceInfo }>();
    let list: channelsRepo.UnreadCount[] = [], userId = -1, workspaceId = -1;
    for (const r of out) {
      if (r.presence) {
        const { userId, status, statusText, awayMessage, connections } = r;
        seen.set(userId, {
          workspaceId: r.workspaceId,
          info: effectivePresence({ userId, status, statusText, awayMessage, connections }),
        });
        continue;
      }
      if (r.userId !== userId || r.workspaceId !== workspaceId) {
        ({ userId, workspaceId } = r);
        const k = person(workspaceId, userId);
        list = counts.get(k) ?? [];
        counts.set(k, list);
      }
      list.push({
        channelId: r.channelId,
        lastReadSeq: r.lastReadSeq,
        unread: r.unread,
        mentions: r.mentions,
      });
    }
    return asks.map((a) => ({
      counts: a.counts ? counts.get(person(a.counts.workspaceId, a.counts.userId)) ?? [] : [],
      presence: a.presence
        ? [...new Set(a.presence.ids)].sort((x, y) => x - y).flatMap((id) => {
          const r = seen.get(id);
          return r && r.workspaceId === a.presence!.workspaceId ? [r.info] : [];
        })
        : [],
    }));
  }, { maxBatch: MAX_BATCH, inFlight: IN_FLIGHT, holdMs: HOLD_MS });

  return {
    async session(token) {
      if (!token || token.length > 200) return null;
      return await sessions.submit(await sha256(token));
    },
    opened: async (actor, row) => (await opens.submit({ row, counts: actor, presence: null })).counts,
    unreadCounts: async (actor) => (await opens.submit({ row: null, counts: actor, presence: null })).counts,
    presence: async (actor, ids) =>
      ids.length
        ? (await opens.submit({ row: null, counts: null, presence: { workspaceId: actor.workspaceId, ids } }))
          .presence
        : [],
  };
}
