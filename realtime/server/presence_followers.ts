/**
 * The hub's index of presence subscriptions: person -> sockets that follow them (`presence_sub`). A
 * window's `presence_updated` is split into one frame per socket listing only the people it follows;
 * sockets that follow the same people in it share one encoded frame. No SQL, no writing: the hub writes.
 */
import type { PresenceInfo, ServerEvent } from "../protocol.ts";

/** What the index needs of a connection (the hub's `Connection`). */
export interface Follower {
  readonly workspaceId: number;
  /** The people followed, each once (an array: a Set per socket costs several times its few numbers). */
  follows: number[];
  closed: boolean;
}

export class PresenceFollowers<C extends Follower> {
  readonly #byPerson = new Map<number, Set<C>>();

  /** Replaces the people the socket follows (the caller checked they are of its workspace). */
  follow(conn: C, userIds: Iterable<number>) {
    if (conn.closed) return;
    this.drop(conn);
    const follows = [...new Set(userIds)];
    conn.follows = follows;
    for (const u of follows) {
      let set = this.#byPerson.get(u);
      if (!set) this.#byPerson.set(u, set = new Set());
      set.add(conn);
    }
  }

  /** Stops following these people. */
  unfollow(conn: C, userIds: Iterable<number>) {
    const gone = new Set(userIds);
    if (!gone.size || !conn.follows.length) return;
    const kept: number[] = [];
    for (const u of conn.follows) {
      if (!gone.has(u)) {
        kept.push(u);
        continue;
      }
      const set = this.#byPerson.get(u);
      set?.delete(conn);
      if (set && !set.size) this.#byPerson.delete(u);
    }
    conn.follows = kept;
  }

  /** Forgets every subscription of the socket (replaced, or closed). */
  drop(conn: C) {
    this.unfollow(conn, conn.follows);
  }

  count(userId: number): number {
    return this.#byPerson.get(userId)?.size ?? 0;
  }

  /**
   * Each socket of `workspaceId` that follows someone in `users`, with the frame listing just those
   * people (the workspace check is the second lock: ids are checked at subscription too).
   */
  *frames(workspaceId: number, users: PresenceInfo[]): Generator<[C, string, ServerEvent]> {
    const lists = new Map<C, PresenceInfo[]>();
    for (const p of users) {
      for (const c of this.#byPerson.get(p.userId) ?? []) {
        if (c.workspaceId !== workspaceId) continue;
        const list = lists.get(c);
        if (list) list.push(p);
        else lists.set(c, [p]);
      }
    }
    // Each person is encoded once per window; a socket's frame is its people's pieces joined, the text
    // `JSON.stringify` gives for the same event (`{"type":...,"users":[a,b]}`). A crowd connecting makes
    // most sockets' lists differ, so a frame per list would encode each person once per follower.
    const pieces = new Map<PresenceInfo, string>();
    const piece = (p: PresenceInfo) => {
      let s = pieces.get(p);
      if (s === undefined) pieces.set(p, s = JSON.stringify(p));
      return s;
    };
    const encoded = new Map<string, [string, ServerEvent]>();
    for (const [conn, list] of lists) {
      const key = list.length === users.length ? "*" : list.map((p) => p.userId).join(",");
      let frame = encoded.get(key);
      if (!frame) {
        const event: ServerEvent = { type: "presence_updated", users: list };
        encoded.set(key, frame = [`${PRESENCE_HEAD}${list.map(piece).join(",")}]}`, event]);
      }
      yield [conn, frame[0], frame[1]];
    }
  }
}

/** The start of a `presence_updated` frame as `JSON.stringify` writes it, up to its first person. */
const PRESENCE_HEAD = '{"type":"presence_updated","users":[';
