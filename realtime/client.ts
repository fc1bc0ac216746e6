/**
 * The browser client used by every island: REST loading, one WebSocket with exponential backoff and jitter,
 * resume with the last sequence per channel, gap detection, a persistent outbox (sends made offline are
 * shown as pending and sent on reconnect with their idempotency key), and @preact/signals stores that the
 * events update through the pure `applyEvent` reducer. No Deno APIs: this file is bundled for the browser.
 *
 * @example
 * const client = new ParleyClient();
 * await client.start();
 * client.send(channelId, "Hello **world**");
 */
import { batch, signal } from "@preact/signals";
import {
  applyEvent,
  type ChannelSummary,
  type ChatState,
  type Message,
  needsReplay,
  type PresenceInfo,
  type PresenceStatus,
  type SequencedEvent,
  type ServerEvent,
  type UserSummary,
} from "./protocol.ts";
import { channelDisplayName } from "../domain/naming.ts";

export interface Me extends UserSummary {
  email: string | null;
  role: string;
  permissions: string[];
  status: PresenceStatus;
  statusText: string;
  awayMessage: string;
}

export interface OutboxItem {
  clientId: string;
  channelId: number;
  body: string;
  replyTo: number | null;
  state: "pending" | "sending" | "failed";
  error?: string;
  createdAt: string;
}

export interface Counts {
  unread: number;
  mentions: number;
  lastReadSeq: number;
}

export type UserInfo = UserSummary & {
  status?: string;
  statusText?: string;
  awayMessage?: string;
  role?: string;
};

export interface ClientOptions {
  baseUrl?: string;
  storage?: Storage;
  /** Bearer token for non-browser use; browsers use the session cookie. */
  token?: string;
}

export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number, readonly retryAfter?: number) {
    super(message);
  }
}

const TYPING_TTL_MS = 6_000;
const TYPING_RESEND_MS = 3_000;
const REQUEST_TIMEOUT_MS = 15_000;

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
};

export class ParleyClient {
  readonly status = signal<"connecting" | "open" | "offline">("connecting");
  readonly me = signal<Me | null>(null);
  readonly channels = signal<ChannelSummary[]>([]);
  readonly chat = signal<ChatState>({});
  readonly presence = signal<Record<number, PresenceInfo>>({});
  readonly typingUsers = signal<Record<number, number[]>>({});
  readonly counts = signal<Record<number, Counts>>({});
  readonly users = signal<Record<number, UserInfo>>({});
  readonly outbox = signal<OutboxItem[]>([]);
  /** Read positions of other members per channel (for ✓✓ receipts in DMs and groups). */
  readonly receipts = signal<Record<number, Record<number, number>>>({});
  /** Whether older history exists per channel (null: not loaded yet). */
  readonly hasOlder = signal<Record<number, boolean>>({});

  readonly #base: string;
  readonly #storage: Storage | null;
  readonly #token?: string;
  #ws: WebSocket | null = null;
  #stopped = false;
  #attempt = 0;
  #reqId = 0;
  #pending = new Map<string, Pending>();
  #listeners = new Map<string, Set<(e: ServerEvent) => void>>();
  #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #typingSent = new Map<number, number>();
  #typingStop = new Map<number, ReturnType<typeof setTimeout>>();
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #replaying = new Set<number>();
  #heartbeat: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: ClientOptions = {}) {
    this.#base = opts.baseUrl || globalThis.location?.origin || "";
    this.#storage = opts.storage ?? (globalThis as { localStorage?: Storage }).localStorage ?? null;
    this.#token = opts.token;
  }

  /** Alias kept for islands: the typing users per channel. */
  get typing() {
    return this.typingUsers;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    this.#stopped = false;
    const { user } = await this.api<{ user: Me }>("GET", "/api/auth/me");
    this.me.value = user;
    this.#loadOutbox();
    await Promise.all([this.refreshChannels(), this.#loadUsers()]);
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#ws?.close(1000, "bye");
    this.#ws = null;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ApiError("offline", "Disconnected", 0));
    }
    this.#pending.clear();
  }

  on(type: ServerEvent["type"] | "*", fn: (e: ServerEvent) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(fn);
    return () => set!.delete(fn);
  }

  // ---- REST -----------------------------------------------------------------------------------

  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const res = await fetch(this.#base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = (data as { error?: { code: string; message: string; retryAfter?: number } }).error;
      throw new ApiError(
        e?.code ?? "http_" + res.status,
        e?.message ?? res.statusText,
        res.status,
        e?.retryAfter,
      );
    }
    return data as T;
  }

  async refreshChannels() {
    const { channels } = await this.api<{ channels: ChannelSummary[] }>("GET", "/api/chat/channels");
    batch(() => {
      this.channels.value = channels;
      const counts = { ...this.counts.value };
      for (const c of channels) {
        counts[c.id] = { unread: c.unread ?? 0, mentions: c.mentions ?? 0, lastReadSeq: c.lastReadSeq ?? 0 };
      }
      this.counts.value = counts;
    });
  }

  async #loadUsers() {
    const { users } = await this.api<{ users: UserInfo[] }>("GET", "/api/chat/users?limit=100");
    this.users.value = Object.fromEntries(users.map((u) => [u.id, u]));
  }

  /** Loads the newest page of a channel into `chat`. Returns whether older messages exist. */
  async loadLatest(channelId: number): Promise<boolean> {
    const page = await this.api<{ messages: Message[]; olderCursor: number | null; lastSeq: number }>(
      "GET",
      `/api/chat/channels/${channelId}/messages?limit=50`,
    );
    this.#merge(channelId, page.messages, page.lastSeq);
    this.hasOlder.value = { ...this.hasOlder.value, [channelId]: page.olderCursor !== null };
    void this.#loadReceipts(channelId);
    return page.olderCursor !== null;
  }

  /** Loads the page before the oldest message held. Returns whether still older messages exist. */
  async loadOlder(channelId: number): Promise<boolean> {
    const held = (this.chat.value[channelId]?.messages ?? []).filter((m) => m.replyTo === null);
    if (!held.length) return await this.loadLatest(channelId);
    const oldest = Math.min(...held.map((m) => m.id));
    const page = await this.api<{ messages: Message[]; olderCursor: number | null; lastSeq: number }>(
      "GET",
      `/api/chat/channels/${channelId}/messages?limit=50&before=${oldest}`,
    );
    this.#merge(channelId, page.messages, 0);
    this.hasOlder.value = { ...this.hasOlder.value, [channelId]: page.olderCursor !== null };
    return page.olderCursor !== null;
  }

  /** Loads a page around a message (deep links). */
  async loadAround(channelId: number, messageId: number) {
    const page = await this.api<{ messages: Message[]; olderCursor: number | null; lastSeq: number }>(
      "GET",
      `/api/chat/channels/${channelId}/messages?limit=50&around=${messageId}`,
    );
    this.#merge(channelId, page.messages, page.lastSeq);
    this.hasOlder.value = { ...this.hasOlder.value, [channelId]: page.olderCursor !== null };
  }

  async loadThread(messageId: number): Promise<{ parent: Message; replies: Message[] }> {
    const t = await this.api<{ parent: Message; replies: Message[] }>(
      "GET",
      `/api/chat/messages/${messageId}/thread`,
    );
    this.#merge(t.parent.channelId, [t.parent, ...t.replies], 0);
    return t;
  }

  async #loadReceipts(channelId: number) {
    const ch = this.channels.value.find((c) => c.id === channelId);
    if (!ch || (ch.kind !== "direct_message" && ch.kind !== "group")) return;
    try {
      const { members } = await this.api<{ members: { id: number; lastReadSeq: number }[] }>(
        "GET",
        `/api/chat/channels/${channelId}/members`,
      );
      this.receipts.value = {
        ...this.receipts.value,
        [channelId]: Object.fromEntries(members.map((m) => [m.id, m.lastReadSeq])),
      };
    } catch { /* receipts are a nicety */ }
  }

  /** Merges messages into a channel's state, keeping id order, without moving its sequence backwards. */
  #merge(channelId: number, msgs: Message[], lastSeq: number) {
    const cur = this.chat.value[channelId] ?? { lastSeq: 0, messages: [] };
    const byId = new Map(cur.messages.map((m) => [m.id, m]));
    for (const m of msgs) {
      const held = byId.get(m.id);
      // Keep what live events already applied when it is newer than the page.
      if (!held || held.seq <= m.seq) byId.set(m.id, held && held.editedAt && !m.editedAt ? held : m);
    }
    const messages = [...byId.values()].sort((a, b) => a.id - b.id);
    this.chat.value = {
      ...this.chat.value,
      [channelId]: { lastSeq: Math.max(cur.lastSeq, lastSeq), messages },
    };
  }

  // ---- socket ---------------------------------------------------------------------------------

  #wsUrl() {
    const u = new URL("/api/chat/ws", this.#base || "http://localhost");
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.toString();
  }

  #connect() {
    if (this.#stopped) return;
    this.status.value = "connecting";
    let ws: WebSocket;
    try {
      ws = this.#token
        // deno-lint-ignore no-explicit-any
        ? new (WebSocket as any)(this.#wsUrl(), { headers: { authorization: `Bearer ${this.#token}` } })
        : new WebSocket(this.#wsUrl());
    } catch {
      return this.#scheduleReconnect();
    }
    this.#ws = ws;
    ws.onmessage = (ev) => this.#onFrame(ws, ev.data);
    ws.onclose = (ev) => this.#onClosed(ws, ev.code, ev.reason);
  }

  #onClosed(ws: WebSocket, code: number, reason: string) {
    if (this.#ws !== ws) return;
    this.#ws = null;
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    this.status.value = "offline";
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ApiError("offline", "Disconnected", 0));
    }
    this.#pending.clear();
    this.#outboxSet((items) => items.map((i) => (i.state === "sending" ? { ...i, state: "pending" } : i)));
    if (code === 4001) {
      this.#emit({ type: "session_revoked", reason: reason || "session ended" });
      return;
    }
    this.#scheduleReconnect();
  }

  /** Pings every ~interval (with jitter); a server that does not answer in time is treated as gone. */
  #startHeartbeat(ws: WebSocket, intervalMs: number) {
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    const tick = () => {
      if (this.#ws !== ws) return;
      this.#requestOn(ws, "ping", {}).catch(() => {
        // Do not wait for a dead peer's closing handshake: drop it and reconnect now.
        this.#onClosed(ws, 4000, "heartbeat timeout");
        ws.close(4000, "heartbeat timeout");
      });
      this.#heartbeat = setTimeout(tick, intervalMs * (0.75 + Math.random() * 0.25));
    };
    this.#heartbeat = setTimeout(tick, intervalMs * (0.75 + Math.random() * 0.25));
  }

  #scheduleReconnect() {
    if (this.#stopped) return;
    const delay = Math.min(30_000, 500 * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  /** Reconnects now (e.g. when the browser says it is online again). */
  reconnectNow() {
    if (this.#ws || this.#stopped) return;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#attempt = 0;
    this.#connect();
  }

  #onFrame(ws: WebSocket, data: unknown) {
    if (typeof data !== "string") return;
    let f: {
      type: string;
      id?: string;
      data?: unknown;
      error?: { code: string; message: string; retryAfter?: number };
    };
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    if (f.type === "ready") {
      this.#startHeartbeat(ws, Number((f as { heartbeatMs?: number }).heartbeatMs) || 35_000);
      return void this.#hello(ws);
    }
    if (f.type === "ack" || f.type === "error") {
      const p = f.id ? this.#pending.get(f.id) : undefined;
      if (!p) return;
      this.#pending.delete(f.id!);
      clearTimeout(p.timer);
      if (f.type === "ack") p.resolve(f.data);
      else p.reject(new ApiError(f.error!.code, f.error!.message, 0, f.error!.retryAfter));
      return;
    }
    this.#onEvent(f as unknown as ServerEvent);
  }

  async #hello(ws: WebSocket) {
    const channels: Record<string, number> = {};
    // Every channel held, even an empty one (lastSeq 0): what was sent while away is replayed.
    for (const [id, st] of Object.entries(this.chat.value)) channels[id] = st.lastSeq;
    try {
      const r = await this.#requestOn<{ presence: PresenceInfo[]; resync: number[] }>(ws, "hello", {
        channels,
        page: globalThis.location?.pathname ?? "",
        presence: true,
      });
      this.#attempt = 0;
      this.presence.value = Object.fromEntries(r.presence.map((p) => [p.userId, p]));
      this.status.value = "open";
      void this.refreshChannels().catch(() => {});
      this.#flushOutbox();
    } catch {
      ws.close(4000, "hello failed");
    }
  }

  /** Sends any protocol action and resolves with the ack's data (rejects with ApiError). */
  request<T = unknown>(action: string, payload: Record<string, unknown> = {}): Promise<T> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ApiError("offline", "Not connected", 0));
    }
    return this.#requestOn<T>(ws, action, payload);
  }

  #requestOn<T>(ws: WebSocket, action: string, payload: Record<string, unknown>): Promise<T> {
    const id = String(++this.#reqId);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ApiError("timeout", "No answer from the server", 0));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        ws.send(JSON.stringify({ ...payload, id, action }));
      } catch (e) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(e);
      }
    });
  }

  // ---- events ---------------------------------------------------------------------------------

  #emit(e: ServerEvent) {
    for (const key of [e.type, "*"]) {
      for (const fn of this.#listeners.get(key) ?? []) {
        try {
          fn(e);
        } catch (err) {
          console.error(err);
        }
      }
    }
  }

  #onEvent(e: ServerEvent) {
    switch (e.type) {
      case "message_received":
      case "message_updated":
      case "message_deleted":
      case "reaction_added":
      case "reaction_removed":
        this.#onSequenced(e);
        break;
      case "unread_counts": {
        const counts = { ...this.counts.value };
        for (const c of e.counts) {
          counts[c.channelId] = { unread: c.unread, mentions: c.mentions, lastReadSeq: c.lastReadSeq };
        }
        this.counts.value = counts;
        break;
      }
      case "presence_updated": {
        const next = { ...this.presence.value };
        for (const p of e.users) next[p.userId] = p;
        this.presence.value = next;
        break;
      }
      case "user_typing":
        this.#onTyping(e.channelId, e.userId, e.typing);
        break;
      case "read_receipt":
        this.receipts.value = {
          ...this.receipts.value,
          [e.channelId]: { ...(this.receipts.value[e.channelId] ?? {}), [e.userId]: e.seq },
        };
        break;
      case "channel_updated":
        this.channels.value = this.channels.value.map((c) =>
          c.id === e.channel.id ? this.#viewOf(c, e.channel) : c
        );
        break;
      case "channel_removed":
        this.channels.value = this.channels.value.filter((c) => c.id !== e.channelId);
        break;
      case "access_changed":
        // My role or permissions changed: what I may see and do is refetched.
        void this.refreshChannels().catch(() => {});
        break;
      case "user_joined":
        if (e.userId === this.me.value?.id && !this.channels.value.some((c) => c.id === e.channelId)) {
          void this.refreshChannels().catch(() => {});
        }
        break;
      case "user_left":
        if (e.userId === this.me.value?.id) {
          this.channels.value = this.channels.value.filter((c) => c.id !== e.channelId);
        }
        break;
      case "resync_required":
        void this.#resync(e.channelId);
        break;
      case "session_revoked":
        break;
    }
    this.#emit(e);
  }

  /** A channel_updated carries the channel as the editor sees it; keep this user's own view fields. */
  #viewOf(mine: ChannelSummary, theirs: ChannelSummary): ChannelSummary {
    const me = this.me.value?.id ?? 0;
    const members = theirs.members ?? mine.members ?? [];
    const displayName = theirs.kind === "group" && theirs.name
      ? theirs.name
      : channelDisplayName(theirs.kind, theirs.name, members, me);
    return {
      ...mine,
      ...theirs,
      displayName,
      myRole: mine.myRole,
      canPost: mine.canPost,
      unread: mine.unread,
      mentions: mine.mentions,
      lastReadSeq: mine.lastReadSeq,
    };
  }

  #onSequenced(e: SequencedEvent) {
    const st = this.chat.value[e.channelId];
    if (st && needsReplay(this.chat.value, e)) {
      void this.#replay(e.channelId, st.lastSeq);
      return;
    }
    if (st) this.chat.value = applyEvent(this.chat.value, e);
    else if (e.type === "message_received") {
      // Not loaded yet: keep nothing but the position, so a later load starts from the truth.
    }
    if (e.type === "message_received") this.#countIncoming(e.message);
    this.channels.value = this.channels.value.map((c) =>
      c.id === e.channelId
        ? {
          ...c,
          lastSeq: Math.max(c.lastSeq, e.seq),
          lastMessageAt: e.type === "message_received" ? e.message.createdAt : c.lastMessageAt,
        }
        : c
    );
  }

  #countIncoming(m: Message) {
    const me = this.me.value?.id;
    if (m.senderId === me) {
      this.#outboxSet((items) => items.filter((i) => i.clientId !== m.clientId));
      return;
    }
    if (m.replyTo !== null) return;
    const c = this.counts.value[m.channelId] ?? { unread: 0, mentions: 0, lastReadSeq: 0 };
    const mention = me !== undefined && m.mentions.includes(me);
    this.counts.value = {
      ...this.counts.value,
      [m.channelId]: { ...c, unread: c.unread + 1, mentions: c.mentions + (mention ? 1 : 0) },
    };
  }

  async #replay(channelId: number, afterSeq: number) {
    if (this.#replaying.has(channelId)) return;
    this.#replaying.add(channelId);
    try {
      const r = await this.request<{ events?: SequencedEvent[]; resync?: boolean }>("replay", {
        channelId,
        afterSeq,
      });
      if (r.resync || !r.events) return await this.#resync(channelId);
      let state = this.chat.value;
      for (const ev of r.events) state = applyEvent(state, ev);
      this.chat.value = state;
    } catch {
      // Offline: the resume on reconnect covers it.
    } finally {
      this.#replaying.delete(channelId);
    }
  }

  async #resync(channelId: number) {
    const { [channelId]: _drop, ...rest } = this.chat.value;
    this.chat.value = rest;
    await this.loadLatest(channelId).catch(() => {});
  }

  #onTyping(channelId: number, userId: number, typing: boolean) {
    if (userId === this.me.value?.id) return;
    const key = `${channelId}:${userId}`;
    const cur = this.typingUsers.value[channelId] ?? [];
    clearTimeout(this.#typingTimers.get(key));
    this.#typingTimers.delete(key);
    const next = cur.filter((u) => u !== userId);
    if (typing) {
      next.push(userId);
      this.#typingTimers.set(key, setTimeout(() => this.#onTyping(channelId, userId, false), TYPING_TTL_MS));
    }
    this.typingUsers.value = { ...this.typingUsers.value, [channelId]: next };
  }

  // ---- actions --------------------------------------------------------------------------------

  /** Queues a message; it shows as pending at once and is sent (now or after reconnect) with its key. */
  send(channelId: number, body: string, replyTo: number | null = null): string {
    const clientId = `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    this.#outboxSet((
      items,
    ) => [...items, {
      clientId,
      channelId,
      body,
      replyTo,
      state: "pending",
      createdAt: new Date().toISOString(),
    }]);
    this.stopTyping(channelId);
    this.#flushOutbox();
    return clientId;
  }

  retry(clientId: string) {
    this.#outboxSet((items) =>
      items.map((i) => (i.clientId === clientId ? { ...i, state: "pending", error: undefined } : i))
    );
    this.#flushOutbox();
  }

  discard(clientId: string) {
    this.#outboxSet((items) => items.filter((i) => i.clientId !== clientId));
  }

  #flushOutbox() {
    if (this.status.value !== "open") return;
    for (const item of this.outbox.value) {
      if (item.state !== "pending") continue;
      this.#outboxSet((items) =>
        items.map((i) => (i.clientId === item.clientId ? { ...i, state: "sending" } : i))
      );
      this.request<{ message: Message }>("send_message", {
        channelId: item.channelId,
        clientId: item.clientId,
        body: item.body,
        replyTo: item.replyTo,
      }).then(({ message }) => {
        this.#outboxSet((items) => items.filter((i) => i.clientId !== item.clientId));
        if (this.chat.value[message.channelId]) this.#merge(message.channelId, [message], 0);
      }).catch((e: ApiError) => {
        const transient = e.code === "offline" || e.code === "timeout" || e.code === "internal";
        if (e.code === "rate_limited") {
          this.#outboxSet((items) =>
            items.map((i) => (i.clientId === item.clientId ? { ...i, state: "pending" } : i))
          );
          setTimeout(() => this.#flushOutbox(), (e.retryAfter ?? 2) * 1000);
          return;
        }
        this.#outboxSet((items) =>
          items.map((i) =>
            i.clientId === item.clientId
              ? { ...i, state: transient ? "pending" : "failed", error: transient ? undefined : e.message }
              : i
          )
        );
      });
    }
  }

  #outboxKey() {
    return `parley.outbox.${this.me.value?.id ?? 0}`;
  }

  #loadOutbox() {
    try {
      const raw = this.#storage?.getItem(this.#outboxKey());
      const items = raw ? (JSON.parse(raw) as OutboxItem[]) : [];
      this.outbox.value = items.map((i) => (i.state === "sending" ? { ...i, state: "pending" } : i));
    } catch {
      this.outbox.value = [];
    }
  }

  #outboxSet(fn: (items: OutboxItem[]) => OutboxItem[]) {
    this.outbox.value = fn(this.outbox.value);
    try {
      this.#storage?.setItem(this.#outboxKey(), JSON.stringify(this.outbox.value));
    } catch { /* storage full or disabled: the outbox still works in memory */ }
  }

  async edit(messageId: number, body: string) {
    return await this.request("edit_message", { messageId, body });
  }

  async remove(messageId: number) {
    return await this.request("delete_message", { messageId });
  }

  async react(messageId: number, emoji: string, add: boolean) {
    return await this.request(add ? "add_reaction" : "remove_reaction", { messageId, emoji });
  }

  /** Marks everything held for the channel as read. */
  async markRead(channelId: number) {
    const seq = Math.max(
      this.chat.value[channelId]?.lastSeq ?? 0,
      this.channels.value.find((c) => c.id === channelId)?.lastSeq ?? 0,
    );
    const c = this.counts.value[channelId];
    if (c && c.unread === 0 && c.mentions === 0 && c.lastReadSeq >= seq) return;
    const before = this.counts.value;
    this.counts.value = { ...before, [channelId]: { unread: 0, mentions: 0, lastReadSeq: seq } };
    try {
      await this.request("message_read", { channelId, seq });
    } catch {
      // Not sent (offline): restore the counts so the next call sends it again.
      if (this.counts.value[channelId]?.lastReadSeq === seq) {
        this.counts.value = { ...this.counts.value, [channelId]: before[channelId] };
      }
    }
  }

  /** Call on every keystroke: sends typing_start at most every few seconds and typing_stop after a pause. */
  typingPing(channelId: number) {
    const now = Date.now();
    if (now - (this.#typingSent.get(channelId) ?? 0) > TYPING_RESEND_MS) {
      this.#typingSent.set(channelId, now);
      this.request("typing_start", { channelId }).catch(() => {});
    }
    clearTimeout(this.#typingStop.get(channelId));
    this.#typingStop.set(channelId, setTimeout(() => this.stopTyping(channelId), TYPING_RESEND_MS + 1000));
  }

  stopTyping(channelId: number) {
    clearTimeout(this.#typingStop.get(channelId));
    this.#typingStop.delete(channelId);
    if (this.#typingSent.has(channelId)) {
      this.#typingSent.delete(channelId);
      this.request("typing_stop", { channelId }).catch(() => {});
    }
  }

  async setPresence(
    p: { status?: "online" | "away" | "busy"; statusText?: string; awayMessage?: string; page?: string },
  ) {
    const r = await this.request<PresenceInfo | null>("update_presence", p);
    const me = this.me.value;
    if (me && (p.status || p.statusText !== undefined || p.awayMessage !== undefined)) {
      this.me.value = { ...me, ...Object.fromEntries(Object.entries(p).filter(([k]) => k !== "page")) } as Me;
    }
    return r;
  }
}
