/**
 * The hub owns live connections and fans events out to them. It never touches SQL: membership changes
 * reach it as events (user_joined, user_left, channel_removed) and it keeps its channel index up to date
 * from them. Each event is encoded once and the same string is written to every socket.
 *
 * Presence goes only to sockets that follow the person (`followPresence`, from the client's `presence_sub`):
 * each gets one `presence_updated` per window listing just the people it follows.
 *
 * Back-pressure: a connection whose socket buffer passes the soft limit stops receiving typing and
 * presence events; one that passes the hard limit is closed (1013), never allowed to grow memory.
 *
 * Order: each channel's sequenced events are fanned out in sequence order (see `deliver`), and a
 * connection is never written the same sequence twice (`Connection.sent`).
 */
import type { Envelope, MonitorMessageEvent, SequencedEvent, ServerEvent } from "../protocol.ts";
import { isSequenced } from "../protocol.ts";
import { PresenceFollowers } from "./presence_followers.ts";
import { SmallIntMap, SmallIntSet } from "./small_int_map.ts";
import { ConnectionsByUser } from "./connections_by_user.ts";

export interface Socket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount: number;
}

/** The `monitors` of every socket that watches nothing (most of them): no empty Set per socket. */
const NO_MONITORS: Set<number> = new Set();

export class Connection {
  /** (`SmallIntSet`/`SmallIntMap`: a `Set`/`Map` of a few numbers at a quarter of the memory.) */
  readonly channels = new SmallIntSet();
  /** Highest sequence written per channel: replay and live delivery never send one twice. */
  readonly sent = new SmallIntMap<number>();
  /** While resuming, live frames wait here and are flushed after the replay. */
  pending: { text: string; event: ServerEvent }[] | null = null;
  /**
   * The gateway's resume state: `reading` while a hello reads the replay from the database; `late` once the
   * hold for a hello ended without one (`ResumeDeadlines`), so live events went out and a later hello cannot
   * replay in order what came before them (it asks the client to resync those channels).
   */
  resume: "" | "reading" | "late" = "";
  page = "";
  /** Set when the user's role or permissions changed: the gateway re-reads the actor before the next action. */
  stale = false;
  /** Does the actor behind this socket hold chat.monitor_all (kept current by the gateway)? */
  mayMonitor = false;
  /** Conversations watched read-only in Monitor; 0 means every conversation of the workspace. */
  /** (Shared and empty until the first watch: only `Hub.watch` adds to it.) */
  monitors: Set<number> = NO_MONITORS;
  /** People whose presence this socket receives (its `presence_sub`, checked to be of its workspace). */
  follows: number[] = [];
  /** The client address at connect, for the audit log. */
  address = "";
  connectedAt = Date.now();
  lastSeen = Date.now();
  closed = false;
  /**
   * At least the socket's `bufferedAmount`: its value when the hub last read it plus three bytes per UTF-16
   * unit the hub sent since (UTF-8 never takes more; only sends add to it). Reading `bufferedAmount` is a
   * call into the runtime, about a sixth of the channel fan-out's loop in a profile; `#toChannel` reads
   * it only when this bound passes the hard limit, which decides exactly as reading it every time would.
   */
  unsentAtMost = 0;
  constructor(
    readonly id: string,
    readonly userId: number,
    readonly workspaceId: number,
    readonly sessionHash: string | null,
    readonly socket: Socket,
  ) {}
}

const DROPPABLE = new Set<ServerEvent["type"]>(["user_typing", "presence_updated"]);
const MONITORED = new Set<ServerEvent["type"]>(["message_received", "message_updated", "message_deleted"]);

export interface HubLimits {
  sendBufferSoftBytes: number;
  sendBufferHardBytes: number;
  /** How long an out-of-order sequenced event waits for the ones before it (default 1000 ms). */
  reorderWaitMs?: number;
}

const REORDER_WAIT_MS = 1000;

interface ChannelOrder {
  /** The highest sequence fanned out. */
  last: number;
  held: Map<number, Envelope>;
  timer: ReturnType<typeof setTimeout> | null;
}

export class Hub {
  readonly conns = new Map<string, Connection>();
  readonly #byUser = new ConnectionsByUser<Connection>();
  readonly #byChannel = new Map<number, Set<Connection>>();
  readonly #byWorkspace = new Map<number, Set<Connection>>();
  readonly #order = new Map<number, ChannelOrder>();
  /** Sockets following a person's presence, by the person's user id. */
  readonly #followers = new PresenceFollowers<Connection>();
  /** Sockets watching conversations in Monitor, by workspace. */
  readonly #monitors = new Map<number, Set<Connection>>();
  stats = { delivered: 0, dropped: 0, slowClosed: 0, reordered: 0 };

  constructor(private limits: HubLimits) {}

  add(conn: Connection, channelIds: number[]) {
    this.conns.set(conn.id, conn);
    this.#byUser.add(conn.userId, conn);
    index(this.#byWorkspace, conn.workspaceId, conn);
    for (const ch of channelIds) this.subscribe(conn, ch);
  }

  remove(conn: Connection) {
    conn.closed = true;
    this.conns.delete(conn.id);
    this.#byUser.delete(conn.userId, conn);
    unindex(this.#byWorkspace, conn.workspaceId, conn);
    for (const ch of conn.channels) unindex(this.#byChannel, ch, conn);
    unindex(this.#monitors, conn.workspaceId, conn);
    this.#followers.drop(conn);
  }

  /** Replaces the people whose presence the socket receives (the caller checked their workspace). */
  followPresence(conn: Connection, userIds: Iterable<number>) {
    this.#followers.follow(conn, userIds);
  }

  /** Stops following these people (ids the subscription check did not find in the socket's workspace). */
  unfollowPresence(conn: Connection, userIds: number[]) {
    this.#followers.unfollow(conn, userIds);
  }

  /** How many sockets follow the person's presence. */
  followerCount(userId: number): number {
    return this.#followers.count(userId);
  }

  /** Monitor: this socket receives the conversation's message events read-only (the caller checked). */
  watch(conn: Connection, channelId: number) {
    if (conn.monitors === NO_MONITORS) conn.monitors = new Set();
    conn.monitors.add(channelId);
    index(this.#monitors, conn.workspaceId, conn);
  }

  unwatch(conn: Connection, channelId: number) {
    conn.monitors.delete(channelId);
    if (!conn.monitors.size) unindex(this.#monitors, conn.workspaceId, conn);
  }

  /** Ends every Monitor watch of the socket and tells it (it may watch again; the server checks anew). */
  endWatches(conn: Connection, reason: string) {
    if (!conn.monitors.size) return;
    conn.monitors = NO_MONITORS;
    unindex(this.#monitors, conn.workspaceId, conn);
    const e: ServerEvent = { type: "monitor_ended", reason };
    this.write(conn, JSON.stringify(e), e);
  }

  /**
   * Message events to the workspace's Monitor watchers. Checked on each event: a socket whose permissions
   * changed (stale, until the gateway has read them again) or that no longer holds chat.monitor_all gets
   * nothing more and is told its watches ended.
   */
  #toMonitors(workspaceId: number, e: MonitorMessageEvent) {
    const watchers = this.#monitors.get(workspaceId);
    if (!watchers) return;
    let text: string | null = null;
    for (const conn of [...watchers]) {
      if (conn.stale || !conn.mayMonitor) {
        this.endWatches(conn, "access_changed");
        continue;
      }
      if (!conn.monitors.has(0) && !conn.monitors.has(e.channelId)) continue;
      const wrapped: ServerEvent = { type: "monitor_event", channelId: e.channelId, event: e };
      this.write(conn, text ??= JSON.stringify(wrapped), wrapped);
    }
  }

  subscribe(conn: Connection, channelId: number) {
    conn.channels.add(channelId);
    index(this.#byChannel, channelId, conn);
  }

  unsubscribe(conn: Connection, channelId: number) {
    conn.channels.delete(channelId);
    unindex(this.#byChannel, channelId, conn);
  }

  connectionsOf(userId: number): Connection[] {
    return this.#byUser.of(userId);
  }

  /**
   * Delivers one envelope from the bus to every local connection in its audience. Sequenced events go out
   * in sequence order: one that arrives before an earlier one of its channel (two commits published in
   * the other order, or a remote instance's event still on its way) is held until the earlier one comes,
   * for at most `reorderWaitMs`; after that it goes anyway and clients fill the gap with `replay`.
   */
  deliver(env: Envelope) {
    const e = env.event;
    if (!isSequenced(e)) return this.#fanOut(env);
    let o = this.#order.get(e.channelId);
    if (!o) {
      // The first one seen here: what a connection already has (from its hello) says what comes next.
      let known = -1;
      for (const c of this.#byChannel.get(e.channelId) ?? []) {
        known = Math.max(known, c.sent.get(e.channelId) ?? -1);
      }
      this.#order.set(
        e.channelId,
        o = { last: known >= 0 ? known : e.seq - 1, held: new Map(), timer: null },
      );
    }
    // Late or repeated: connections that already have it skip it by sequence.
    if (e.seq <= o.last) return this.#fanOut(env);
    // The next one, with none held (nearly always): out at once, without a turn through `held` (a Map that
    // grew and shrank by one entry per message, reallocating its table).
    if (e.seq === o.last + 1 && !o.held.size) {
      o.last = e.seq;
      return this.#fanOut(env);
    }
    o.held.set(e.seq, env);
    this.#release(o, false);
    if (o.held.has(e.seq)) this.stats.reordered++;
    if (o.held.size && o.timer === null) {
      const order = o;
      const id = setTimeout(() => {
        order.timer = null;
        this.#release(order, true);
      }, this.limits.reorderWaitMs ?? REORDER_WAIT_MS);
      Deno.unrefTimer(id);
      order.timer = id;
    }
  }

  /** Fans out the held events that are next in order; `force` skips the gaps that remain. */
  #release(o: ChannelOrder, force: boolean) {
    while (o.held.size) {
      if (!o.held.has(o.last + 1)) {
        if (!force) break;
        let first = Infinity;
        for (const seq of o.held.keys()) first = Math.min(first, seq);
        o.last = first - 1;
      }
      const next = o.held.get(o.last + 1)!;
      o.held.delete(++o.last);
      this.#fanOut(next);
    }
    if (!o.held.size && o.timer !== null) {
      clearTimeout(o.timer);
      o.timer = null;
    }
  }

  #fanOut(env: Envelope) {
    const e = env.event;
    if (env.audience.kind === "presence_subscribers") {
      if (e.type !== "presence_updated") return;
      for (const [conn, text, event] of this.#followers.frames(env.workspaceId, e.users)) {
        this.write(conn, text, event);
      }
      return;
    }
    // Sockets of a user whose role or permissions changed act with the new ones from their next frame.
    if (e.type === "access_changed") {
      for (const c of this.connectionsOf(e.userId)) {
        c.stale = true;
        // Monitor stops at once; the client may watch again, and the server checks the new permissions.
        this.endWatches(c, "access_changed");
      }
    }
    if (MONITORED.has(e.type)) this.#toMonitors(env.workspaceId, e as MonitorMessageEvent);
    // Keep the channel index current before choosing targets.
    if (e.type === "user_joined") {
      for (const c of this.connectionsOf(e.userId)) this.subscribe(c, e.channelId);
    }
    // Events that change the index are sent to who was there before the change: a copy.
    const changes = e.type === "user_left" || e.type === "channel_removed";
    const targets = changes ? new Set(this.#targets(env)) : this.#targets(env);
    if (e.type === "user_left") {
      for (const c of this.connectionsOf(e.userId)) this.unsubscribe(c, e.channelId);
    }
    if (e.type === "channel_removed") {
      for (const c of [...(this.#byChannel.get(e.channelId) ?? [])]) this.unsubscribe(c, e.channelId);
      const o = this.#order.get(e.channelId);
      if (o?.timer != null) clearTimeout(o.timer);
      this.#order.delete(e.channelId);
    }
    if (!targets.size) return;
    const text = JSON.stringify(e);
    if (isSequenced(e) && env.audience.kind === "channel" && env.audience.channelId === e.channelId) {
      return this.#toChannel(targets, text, e, env.exceptConnection);
    }
    for (const conn of targets) {
      if (conn.id === env.exceptConnection) continue;
      this.write(conn, text, e);
    }
  }

  /**
   * `write` for every member of the event's own channel, with what is the same for every socket decided
   * once per event: the targets are the channel's index, so each is subscribed; the event is sequenced and
   * not droppable, so only the hard limit applies, checked against `unsentAtMost`. The per-socket steps
   * are `write`'s, in the same order (resuming and closed sockets go through `write` itself). A message to
   * a channel of 1,000 runs this loop 1,000 times (bench/notes/fan_out.md, "Fan-out per delivery").
   */
  #toChannel(targets: Set<Connection>, text: string, e: SequencedEvent, except: string | undefined) {
    const ch = e.channelId, seq = e.seq, hard = this.limits.sendBufferHardBytes, bytes = text.length * 3;
    let n = 0;
    for (const conn of targets) {
      if (except !== undefined && conn.id === except) continue;
      if (conn.pending !== null || conn.closed) {
        this.write(conn, text, e);
        continue;
      }
      const last = conn.sent.get(ch);
      if (last !== undefined && seq <= last) continue;
      conn.sent.set(ch, seq);
      const socket = conn.socket;
      let unsent = conn.unsentAtMost;
      if (unsent > hard) {
        unsent = socket.bufferedAmount;
        if (unsent > hard) {
          this.#closeSlow(conn);
          continue;
        }
      }
      try {
        socket.send(text);
        conn.unsentAtMost = unsent + bytes;
        n++;
      } catch {
        this.close(conn, 1011, "send failed");
      }
    }
    this.stats.delivered += n;
  }

  /**
   * The index's own set, not a copy (a thousand-member channel would be copied for every event): a socket
   * closed while it is walked is deleted from it, which a Set's iteration allows.
   */
  #targets(env: Envelope): Set<Connection> {
    const a = env.audience;
    if (a.kind === "channel") return this.#byChannel.get(a.channelId) ?? NONE;
    if (a.kind === "workspace") return this.#byWorkspace.get(a.workspaceId) ?? NONE;
    if (a.kind === "visitor" || a.kind === "presence_subscribers") return NONE;
    if (a.kind === "connection") {
      const c = this.conns.get(a.connectionId);
      return c ? new Set([c]) : NONE;
    }
    const out = new Set<Connection>();
    for (const u of a.userIds) this.#byUser.addTo(u, out);
    return out;
  }

  /** Writes an already encoded event, honouring dedup by sequence, resume buffering and back-pressure. */
  write(conn: Connection, text: string, event: ServerEvent) {
    if (conn.closed) return;
    if (conn.pending) {
      conn.pending.push({ text, event });
      if (conn.pending.length > 10_000) this.#closeSlow(conn);
      return;
    }
    if (isSequenced(event)) {
      if (!conn.channels.has(event.channelId)) return;
      const last = conn.sent.get(event.channelId) ?? 0;
      if (event.seq <= last) return;
      conn.sent.set(event.channelId, event.seq);
    }
    const buffered = conn.unsentAtMost = conn.socket.bufferedAmount;
    if (buffered > this.limits.sendBufferHardBytes) return this.#closeSlow(conn);
    if (buffered > this.limits.sendBufferSoftBytes && DROPPABLE.has(event.type)) {
      this.stats.dropped++;
      return;
    }
    this.sendRaw(conn, text);
    this.stats.delivered++;
  }

  /** Flushes frames that arrived during a resume; sequenced ones already replayed are skipped. */
  endResume(conn: Connection) {
    const pending = conn.pending ?? [];
    conn.pending = null;
    for (const p of pending) this.write(conn, p.text, p.event);
  }

  sendRaw(conn: Connection, text: string) {
    if (conn.closed) return;
    try {
      conn.socket.send(text);
      conn.unsentAtMost += text.length * 3;
    } catch {
      this.close(conn, 1011, "send failed");
    }
  }

  #closeSlow(conn: Connection) {
    this.stats.slowClosed++;
    this.close(conn, 1013, "too slow: send buffer full, reconnect and resume");
  }

  close(conn: Connection, code: number, reason: string) {
    if (!conn.closed) {
      try {
        conn.socket.close(code, reason);
      } catch { /* already closing */ }
    }
    this.remove(conn);
  }

  closeAll(code: number, reason: string) {
    for (const c of [...this.conns.values()]) this.close(c, code, reason);
  }

  closeUser(userId: number, code: number, reason: string) {
    for (const c of this.connectionsOf(userId)) this.close(c, code, reason);
  }
}

const NONE: Set<Connection> = new Set();

function index<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection) {
  let set = map.get(key);
  if (!set) map.set(key, set = new Set());
  set.add(conn);
}

function unindex<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection) {
  const set = map.get(key);
  if (!set) return;
  set.delete(conn);
  if (!set.size) map.delete(key);
}
