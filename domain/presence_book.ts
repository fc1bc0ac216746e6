/**
 * What this instance knows of people's presence, so a hello's snapshot costs no statement (fifteenth pass,
 * bench/README.md "The hello's presence from memory").
 *
 * A workspace's people are read once, at the first snapshot asked of it (and again at the first one after
 * `BOOK_TTL_MS`), then kept by the `presence_updated` events every instance's announcer publishes over the
 * bus: people online on other instances are in it as their followers are told. This instance's own live
 * connections count at once, so a connecting socket counts itself without waiting for its stored row.
 * People it does not know (created or reactivated since the read) are read from the database (`of`'s
 * `read`). A deactivated person is dropped at the `session_revoked` event that ends their sessions.
 *
 * A socket follows its people before it asks (`followPresence`), and the book takes each event before the
 * hub delivers it (`main.ts`), so every change after the snapshot reaches the socket: the snapshot and
 * the events after it agree with what the person's followers are shown (within the grace period after a
 * last tab closed, still online; after it, offline).
 */
import * as connectionsRepo from "../db/repos/connections.ts";
import type { Envelope, PresenceInfo } from "../realtime/protocol.ts";
import type { CoreDeps } from "./deps.ts";

/**
 * A workspace's people are read again at the first snapshot after this long: what no event tells (the
 * connection rows of an instance that stopped without closing them stop counting after
 * `connectionsRepo.LIVE_SECONDS`) is not kept longer than this past the database.
 */
export const BOOK_TTL_MS = 30_000;

/** A person as last read or announced: `at` (ms, the book's clock) orders it against a read in flight. */
interface Entry {
  info: PresenceInfo | null;
  at: number;
}

interface Page {
  people: Map<number, Entry>;
  loadedAt: number;
}

export class PresenceBook {
  #pages = new Map<number, Page>();
  #loading = new Map<number, Promise<Page>>();
  /** This instance's live connections per user (ids are unique across workspaces). */
  #local = new Map<number, number>();
  /** The user of each of those connections. */
  #conns = new Map<string, number>();

  constructor(
    private readonly readWorkspace: (workspaceId: number) => Promise<PresenceInfo[]>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes what an event tells (every event passes here, on every instance, before the hub delivers it). */
  apply(env: Envelope) {
    const page = this.#pages.get(env.workspaceId);
    if (!page) return;
    const e = env.event;
    if (e.type === "presence_updated") {
      const at = this.now();
      for (const p of e.users) {
        // An announcement of someone offline says "offline", not the status they chose (kept for later).
        const before = page.people.get(p.userId)?.info;
        const status = p.connections === 0 && before ? before.status : p.status;
        page.people.set(p.userId, { info: { ...p, status }, at });
      }
    } else if (
      e.type === "session_revoked" && e.reason === "deactivated" && env.audience.kind === "users"
    ) {
      const at = this.now();
      for (const id of env.audience.userIds) page.people.set(id, { info: null, at });
    }
  }

  /** A socket of this user opened on this instance. */
  opened(userId: number, connId: string) {
    if (this.#conns.has(connId)) return;
    this.#conns.set(connId, userId);
    this.#local.set(userId, (this.#local.get(userId) ?? 0) + 1);
  }

  /** A socket opened on this instance closed (one that never counted changes nothing). */
  closed(connId: string) {
    const userId = this.#conns.get(connId);
    if (userId === undefined) return;
    this.#conns.delete(connId);
    const n = (this.#local.get(userId) ?? 1) - 1;
    if (n > 0) this.#local.set(userId, n);
    else this.#local.delete(userId);
  }

  /**
   * The stored presence (status as chosen, live connections) of these people of the workspace, ordered by
   * id; people of another workspace, unknown or deactivated are left out. Those the book does not know are
   * asked of `read` (the database) and kept.
   */
  async of(
    workspaceId: number,
    ids: number[],
    read: (ids: number[]) => Promise<PresenceInfo[]>,
  ): Promise<PresenceInfo[]> {
    const page = await this.#page(workspaceId);
    const out: PresenceInfo[] = [];
    const missing: number[] = [];
    for (const id of new Set(ids)) {
      const e = page.people.get(id);
      if (!e) missing.push(id);
      else if (e.info) out.push(this.#counted(e.info));
    }
    if (missing.length) {
      const at = this.now();
      for (const p of await read(missing)) {
        const known = page.people.get(p.userId);
        if (!known || known.at < at) page.people.set(p.userId, { info: p, at });
        out.push(this.#counted(p));
      }
    }
    return out.sort((x, y) => x.userId - y.userId);
  }

  /** With this instance's own connections, which the last read or announcement may not count yet. */
  #counted(p: PresenceInfo): PresenceInfo {
    const local = this.#local.get(p.userId) ?? 0;
    return local > p.connections ? { ...p, connections: local } : p;
  }

  #page(workspaceId: number): Page | Promise<Page> {
    const page = this.#pages.get(workspaceId);
    if (page && this.now() - page.loadedAt < BOOK_TTL_MS) return page;
    let loading = this.#loading.get(workspaceId);
    if (!loading) {
      const started = this.now();
      // Never served (read before use), but it takes what events tell while the first read runs.
      if (!page) this.#pages.set(workspaceId, { people: new Map(), loadedAt: -Infinity });
      loading = this.readWorkspace(workspaceId).then((rows) => {
        const people = new Map<number, Entry>(rows.map((info) => [info.userId, { info, at: started }]));
        // What events told while the read ran may be newer than its rows: kept over them.
        for (const [id, e] of this.#pages.get(workspaceId)?.people ?? []) {
          if (e.at >= started) people.set(id, e);
        }
        const fresh = { people, loadedAt: started };
        this.#pages.set(workspaceId, fresh);
        return fresh;
      }).finally(() => this.#loading.delete(workspaceId));
      this.#loading.set(workspaceId, loading);
    }
    return loading;
  }
}

/** The book of a server, reading a workspace's people with `connectionsRepo.presenceOf`. */
export function presenceBook(deps: CoreDeps): PresenceBook {
  return new PresenceBook((workspaceId) => connectionsRepo.presenceOf(deps.db, workspaceId, null));
}
