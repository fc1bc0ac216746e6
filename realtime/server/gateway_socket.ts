/**
 * One staff socket of the gateway: its open (register with the hub, `ready`, the connection row), its frames
 * (in order, with the actor re-read after an access change) and its close. The per-socket state is this one
 * object, which is also the socket's event listener (`handleEvent`): no closures, promises or timers per
 * socket once it is open, which is what 10,000 idle sockets would otherwise hold.
 */
import * as channelsRepo from "../../db/repos/channels.ts";
import type { UnreadCount } from "../../db/repos/channels.ts";
import * as presence from "../../domain/presence.ts";
import type { ConnectReads } from "../../domain/connect_reads.ts";
import type { Actor, Deps } from "../../domain/deps.ts";
import type { Connection, Hub } from "./hub.ts";
import { Connection as Conn } from "./hub.ts";
import { type EarlyCounts, handleFrame, reloadActor } from "./gateway_frames.ts";

/** What the sockets of one gateway share. */
export interface GatewayShared {
  deps: Deps;
  hub: Hub;
  /** Who each socket acts as: re-read when the user's role or permissions change. */
  actors: WeakMap<Connection, Actor>;
  reads: ConnectReads;
  deadlines: ResumeDeadlines;
}

const SETTLED: Promise<unknown> = Promise.resolve();

export class GatewaySocket {
  #conn: Connection | null = null;
  #refreshing: Promise<Actor | null> | null = null;
  /** Frames that came before the connection was registered with its channels, in order. */
  #early: unknown[] | null = [];
  /** Settles once this connection's row is written (a hello's presence snapshot counts it). */
  #present: Promise<unknown> = SETTLED;
  /** The unread counts read when the socket opened, until the first hello takes them. */
  #counts: Promise<UnreadCount[] | null> | null = null;

  constructor(
    private readonly g: GatewayShared,
    private actor: Actor,
    private readonly socket: WebSocket,
    private address: string,
    private userAgent: string,
    /** Read with the session at the upgrade; a ticket's upgrade reads them when the socket opens. */
    private channelIds: number[] | null,
  ) {}

  handleEvent(evt: Event) {
    if (evt.type === "message") this.#message((evt as MessageEvent).data);
    else if (evt.type === "open") void this.#open();
    else if (evt.type === "close") this.#close();
  }

  async #open() {
    const { deps, hub, actors } = this.g;
    const actor = this.actor;
    const conn = new Conn(
      crypto.randomUUID(),
      actor.userId,
      actor.workspaceId,
      actor.sessionHash,
      this.socket,
    );
    this.#conn = conn;
    conn.pending = [];
    conn.mayMonitor = actor.permissions.has("chat.monitor_all");
    conn.address = this.address;
    actors.set(conn, actor);
    let channelIds = this.channelIds;
    this.channelIds = null;
    if (!channelIds) {
      try {
        channelIds = await channelsRepo.channelIdsForUser(deps.db, actor.userId);
      } catch (err) {
        // A socket registered with no channels would look connected and never receive anything.
        console.error("gateway: loading the channels of a new connection failed", err);
        conn.closed = true;
        this.#early = null;
        this.socket.close(1011, "could not load your channels");
        return;
      }
    }
    if (conn.closed) return void (this.#early = null);
    hub.add(conn, channelIds);
    const userAgent = this.userAgent;
    this.userAgent = "";
    // The connection row, stored with the hello's unread counts read in the same statement, while the client
    // answers `ready` (the hello waits for its replay and presence only): from here on every event of the
    // socket's channels waits in `pending` until the hello, which uses this read only when none that changes
    // a count came (`gateway_frames.ts`).
    const opened = this.g.reads.opened(actor, presence.connectionRow(deps, actor, conn.id, "", userAgent));
    this.#counts = opened.catch(() => null);
    hub.sendRaw(
      conn,
      `{"type":"ready","connectionId":"${conn.id}","userId":${actor.userId},"heartbeatMs":${deps.config.ws.heartbeatMs}}`,
    );
    // Not while a hello is reading its replay: live events flushed then would go out before the replayed ones.
    this.g.deadlines.add(conn);
    const stored = presence.connected(deps, actor, opened).catch((e) => console.error("presence", e));
    this.#present = stored;
    void stored.then(() => {
      if (this.#present === stored) this.#present = SETTLED;
    });
    const early = this.#early;
    this.#early = null;
    for (const data of early ?? []) this.#run(conn, data);
  }

  #message(data: unknown) {
    const conn = this.#conn;
    if (this.#early) return void this.#early.push(data);
    if (!conn || conn.closed) return;
    conn.lastSeen = Date.now();
    this.#run(conn, data);
  }

  /** Frames start in the order they came; one waiting for the actor's re-read holds the next ones behind it. */
  #run(conn: Connection, data: unknown) {
    if (conn.closed) return;
    const now = this.#current(conn);
    if (!(now instanceof Promise)) return this.#frame(conn, now, data);
    now.then((a) => this.#frame(conn, a, data), (err) => {
      // Never act with the old permissions: this frame is refused, the next one reads again.
      conn.stale = true;
      console.error("gateway: reading the user again failed", err);
      this.g.hub.sendRaw(
        conn,
        JSON.stringify({
          type: "error",
          id: null,
          error: { code: "unavailable", message: "Please try again" },
        }),
      );
    });
  }

  #frame(conn: Connection, now: Actor | null, data: unknown) {
    const { deps, hub } = this.g;
    if (conn.closed) return;
    if (!now) {
      hub.sendRaw(conn, JSON.stringify({ type: "session_revoked", reason: "session ended" }));
      return hub.close(conn, 4001, "session ended");
    }
    void handleFrame(deps, hub, this.g.reads, now, conn, data, () => this.#present, () => this.#takeCounts());
  }

  /** The counts read at the open, once: the first hello takes them. */
  #takeCounts(): ReturnType<EarlyCounts> {
    const counts = this.#counts;
    this.#counts = null;
    return counts;
  }

  /**
   * The actor for the next frame: after a role or permission change (`access_changed` through the bus, or
   * the background check) it is read again, once, before any further action runs.
   */
  #current(conn: Connection): Actor | null | Promise<Actor | null> {
    // The common case, answered synchronously: no promise per frame.
    if (!conn.stale && !this.#refreshing) return this.actor;
    if (conn.stale) {
      conn.stale = false;
      const { deps, hub, actors } = this.g;
      this.#refreshing = reloadActor(deps, this.actor).then((a) => {
        if (a) {
          this.actor = a;
          actors.set(conn, a);
        }
        conn.mayMonitor = !!a?.permissions.has("chat.monitor_all");
        if (!conn.mayMonitor) hub.endWatches(conn, "access_changed");
        return a;
      }).finally(() => (this.#refreshing = null));
    }
    return this.#refreshing ?? this.actor;
  }

  #close() {
    const conn = this.#conn;
    this.#early = null;
    this.#counts = null;
    if (!conn) return;
    this.g.hub.remove(conn);
    // After the connection row exists, or a fast close would leave a ghost "online" row behind.
    const { deps } = this.g;
    const actor = this.actor, id = conn.id;
    void this.#present.then(() => presence.disconnected(deps, actor, id)).catch(() => {});
  }
}

/**
 * Ends the resume hold of sockets that never said hello within `ms` (their live events were held for the
 * replay a hello would read): one timer for all sockets, deadlines in opening order.
 */
export class ResumeDeadlines {
  #queue: { conn: Connection; at: number }[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  constructor(private readonly hub: Hub, private readonly ms: number) {}

  add(conn: Connection) {
    this.#queue.push({ conn, at: Date.now() + this.ms });
    if (this.#timer === null) this.#schedule();
  }

  #schedule() {
    const next = this.#queue[this.#head];
    if (!next) {
      this.#queue = [];
      this.#head = 0;
      return;
    }
    const t = setTimeout(() => this.#due(), Math.max(0, next.at - Date.now()));
    Deno.unrefTimer(t);
    this.#timer = t;
  }

  #due() {
    this.#timer = null;
    const now = Date.now();
    const q = this.#queue;
    while (this.#head < q.length && q[this.#head].at <= now) {
      const { conn } = q[this.#head++];
      if (conn.pending && !conn.closed && conn.resume !== "reading") {
        conn.resume = "late";
        this.hub.endResume(conn);
      }
    }
    if (this.#head > 1024 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
    this.#schedule();
  }

  stop() {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
