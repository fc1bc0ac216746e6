/**
 * The hub owns live connections and fans events out to them. It never touches SQL: membership changes
 * reach it as events (user_joined, user_left, channel_removed) and it keeps its channel index up to date
 * from them. Each event is encoded once and the same string is written to every socket.
 *
 * Back-pressure: a connection whose socket buffer passes the soft limit stops receiving typing and
 * presence events; one that passes the hard limit is closed (1013), never allowed to grow memory.
 */
import type { Envelope, ServerEvent } from "../protocol.ts";
import { isSequenced } from "../protocol.ts";

export interface Socket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount: number;
}

export class Connection {
  readonly channels = new Set<number>();
  /** Highest sequence written per channel: replay and live delivery never send one twice. */
  readonly sent = new Map<number, number>();
  /** While resuming, live frames wait here and are flushed after the replay. */
  pending: { text: string; event: ServerEvent }[] | null = null;
  page = "";
  connectedAt = Date.now();
  lastSeen = Date.now();
  closed = false;
  constructor(
    readonly id: string,
    readonly userId: number,
    readonly workspaceId: number,
    readonly sessionHash: string | null,
    readonly socket: Socket,
  ) {}
}

const DROPPABLE = new Set<ServerEvent["type"]>(["user_typing", "presence_updated"]);

export interface HubLimits {
  sendBufferSoftBytes: number;
  sendBufferHardBytes: number;
}

export class Hub {
  readonly conns = new Map<string, Connection>();
  readonly #byUser = new Map<number, Set<Connection>>();
  readonly #byChannel = new Map<number, Set<Connection>>();
  readonly #byWorkspace = new Map<number, Set<Connection>>();
  stats = { delivered: 0, dropped: 0, slowClosed: 0 };

  constructor(private limits: HubLimits) {}

  add(conn: Connection, channelIds: number[]) {
    this.conns.set(conn.id, conn);
    index(this.#byUser, conn.userId, conn);
    index(this.#byWorkspace, conn.workspaceId, conn);
    for (const ch of channelIds) this.subscribe(conn, ch);
  }

  remove(conn: Connection) {
    conn.closed = true;
    this.conns.delete(conn.id);
    unindex(this.#byUser, conn.userId, conn);
    unindex(this.#byWorkspace, conn.workspaceId, conn);
    for (const ch of conn.channels) unindex(this.#byChannel, ch, conn);
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
    return [...(this.#byUser.get(userId) ?? [])];
  }

  /** Delivers one envelope from the bus to every local connection in its audience. */
  deliver(env: Envelope) {
    const e = env.event;
    // Keep the channel index current before choosing targets.
    if (e.type === "user_joined") {
      for (const c of this.connectionsOf(e.userId)) this.subscribe(c, e.channelId);
    }
    const targets = this.#targets(env);
    if (e.type === "user_left") {
      for (const c of this.connectionsOf(e.userId)) this.unsubscribe(c, e.channelId);
    }
    if (e.type === "channel_removed") {
      for (const c of [...(this.#byChannel.get(e.channelId) ?? [])]) this.unsubscribe(c, e.channelId);
    }
    if (!targets.size) return;
    const text = JSON.stringify(e);
    for (const conn of targets) {
      if (conn.id === env.exceptConnection) continue;
      this.write(conn, text, e);
    }
  }

  #targets(env: Envelope): Set<Connection> {
    const a = env.audience;
    if (a.kind === "channel") return new Set(this.#byChannel.get(a.channelId) ?? []);
    if (a.kind === "workspace") return new Set(this.#byWorkspace.get(a.workspaceId) ?? []);
    const out = new Set<Connection>();
    for (const u of a.userIds) for (const c of this.#byUser.get(u) ?? []) out.add(c);
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
    const buffered = conn.socket.bufferedAmount;
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
