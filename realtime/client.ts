/**
 * The browser client used by every island, assembled from parts with one job each:
 * `client/transport.ts` (socket, heartbeat, backoff, request/ack), `client/store.ts` (signals updated by the
 * pure `applyEvent` reducer), `client/outbox.ts` (persisted sends with idempotency keys) and
 * `client/rest.ts` (typed REST helpers, also used by the dialogs as `client.rest`). This class only
 * connects them: resume with the last sequence per channel, replay on gaps, typing pings, read marks.
 * No Deno APIs: this file is bundled for the browser.
 *
 * @example
 * const client = new ParleyClient();
 * await client.start();
 * client.send(channelId, "Hello **world**");
 */
import type { Message, PresenceInfo, SequencedEvent, ServerEvent } from "./protocol.ts";
import { ChatApi, type Me, Rest } from "./client/rest.ts";
import { type RequestFn, Transport } from "./client/transport.ts";
import { ChatStore } from "./client/store.ts";
import { Outbox } from "./client/outbox.ts";
import { PresenceFollows } from "./client/presence_follows.ts";

export { ApiError } from "./client/rest.ts";
export type { HistoryPage, Me, MemberRow, NewChannel, UserInfo } from "./client/rest.ts";
export type { OutboxItem } from "./client/outbox.ts";
export type { Counts } from "./client/store.ts";

export interface ClientOptions {
  baseUrl?: string;
  storage?: Storage;
  /** Bearer token for non-browser use; browsers use the session cookie. */
  token?: string;
  /**
   * An embed session on another origin (docs/widget.md): the current bearer token for REST, and the socket
   * opens with a ticket asked for with it.
   */
  bearer?: () => string;
}

const TYPING_RESEND_MS = 3_000;

export class ParleyClient {
  /** Typed REST helpers (one method per endpoint). */
  readonly rest: ChatApi;
  readonly store = new ChatStore();
  readonly me = this.store.me;
  readonly channels = this.store.channels;
  readonly chat = this.store.chat;
  readonly presence = this.store.presence;
  readonly typingUsers = this.store.typingUsers;
  readonly counts = this.store.counts;
  readonly users = this.store.users;
  readonly receipts = this.store.receipts;
  readonly hasOlder = this.store.hasOlder;
  readonly outbox: Outbox["items"];
  readonly status: Transport["status"];
  /** When the next reconnect attempt happens (epoch ms), while one is scheduled. */
  readonly retryAt: Transport["retryAt"];

  readonly #http: Rest;
  readonly #transport: Transport;
  readonly #outbox: Outbox;
  readonly #follows: PresenceFollows;
  #listeners = new Map<string, Set<(e: ServerEvent) => void>>();
  #typingSent = new Map<number, number>();
  #typingStop = new Map<number, ReturnType<typeof setTimeout>>();
  #replaying = new Set<number>();

  constructor(opts: ClientOptions = {}) {
    this.#http = new Rest({ baseUrl: opts.baseUrl, token: opts.bearer ?? opts.token });
    this.rest = new ChatApi(this.#http);
    this.#outbox = new Outbox(
      opts.storage ?? (globalThis as { localStorage?: Storage }).localStorage ?? null,
    );
    this.outbox = this.#outbox.items;
    const url = new URL("/api/chat/ws", this.#http.base || "http://localhost");
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    this.#transport = new Transport(
      url.toString(),
      {
        ready: (request) => this.#hello(request),
        event: (e) => this.#onEvent(e),
        opened: () => {
          void this.refreshChannels().catch(() => {});
          this.#flushOutbox();
        },
        closed: (code, reason) => {
          this.#outbox.requeue();
          this.#follows.reset();
          if (code !== 4001) return true;
          this.#emit({ type: "session_revoked", reason: reason || "session ended" });
          return false;
        },
      },
      opts.token,
      opts.bearer ? () => this.#socketTicket() : undefined,
    );
    this.status = this.#transport.status;
    this.retryAt = this.#transport.retryAt;
    this.#follows = new PresenceFollows(
      this.store,
      (userIds) =>
        this.status.value === "open"
          ? this.request<{ presence: PresenceInfo[] }>("presence_sub", { userIds }).then((r) => r.presence)
          : null,
    );
  }

  async #socketTicket(): Promise<string> {
    const { ticket } = await this.rest.ticket("socket");
    return ticket;
  }

  /** Alias kept for islands: the typing users per channel. */
  get typing() {
    return this.typingUsers;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    const { user } = await this.rest.me();
    this.me.value = user;
    this.#outbox.load(user.id);
    await Promise.all([this.refreshChannels(), this.#loadUsers()]);
    this.#transport.start();
  }

  stop() {
    this.#transport.stop();
    this.#follows.stop();
  }

  /**
   * Shows these people's presence (the server sends a socket only the presence it subscribed to) until the
   * returned function is called. The signed-in person and their conversation partners are always followed.
   */
  followPresence(userIds: number[]): () => void {
    return this.#follows.add(userIds);
  }

  /** Reconnects now (e.g. when the browser says it is online again). */
  reconnectNow() {
    this.#transport.reconnectNow();
  }

  on(type: ServerEvent["type"] | "*", fn: (e: ServerEvent) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(fn);
    return () => set!.delete(fn);
  }

  /** Any REST call (prefer the typed helpers in `rest`). */
  api<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#http.request<T>(method, path, body);
  }

  /** Sends any protocol action and resolves with the ack's data (rejects with ApiError). */
  request<T = unknown>(action: string, payload: Record<string, unknown> = {}): Promise<T> {
    return this.#transport.request<T>(action, payload);
  }

  // ---- loading --------------------------------------------------------------------------------

  async refreshChannels() {
    const { channels } = await this.rest.channels();
    this.store.setChannels(channels);
  }

  async #loadUsers() {
    const { users } = await this.rest.users(100);
    this.users.value = Object.fromEntries(users.map((u) => [u.id, u]));
  }

  /** Loads the newest page of a channel into `chat`. Returns whether older messages exist. */
  async loadLatest(channelId: number): Promise<boolean> {
    const page = await this.rest.history(channelId);
    this.store.merge(channelId, page.messages, page.lastSeq);
    this.store.setHasOlder(channelId, page.olderCursor !== null);
    void this.#loadReceipts(channelId);
    return page.olderCursor !== null;
  }

  /** Loads the page before the oldest message held. Returns whether still older messages exist. */
  async loadOlder(channelId: number): Promise<boolean> {
    const held = (this.chat.value[channelId]?.messages ?? []).filter((m) => m.replyTo === null);
    if (!held.length) return await this.loadLatest(channelId);
    const oldest = held.reduce((min, m) => Math.min(min, m.id), Infinity);
    const page = await this.rest.history(channelId, { before: oldest, limit: 200 });
    this.store.merge(channelId, page.messages, 0);
    this.store.setHasOlder(channelId, page.olderCursor !== null);
    return page.olderCursor !== null;
  }

  /** Loads a page around a message (deep links, first unread). */
  async loadAround(channelId: number, messageId: number) {
    const page = await this.rest.history(channelId, { around: messageId });
    this.store.merge(channelId, page.messages, page.lastSeq);
    this.store.setHasOlder(channelId, page.olderCursor !== null);
  }

  async loadThread(messageId: number): Promise<{ parent: Message; replies: Message[] }> {
    const t = await this.rest.thread(messageId);
    this.store.merge(t.parent.channelId, [t.parent, ...t.replies], 0);
    return t;
  }

  async #loadReceipts(channelId: number) {
    const ch = this.channels.value.find((c) => c.id === channelId);
    if (!ch || (ch.kind !== "direct_message" && ch.kind !== "group")) return;
    try {
      this.store.setReceipts(channelId, (await this.rest.members(channelId)).members);
    } catch { /* receipts are a nicety */ }
  }

  // ---- connection -----------------------------------------------------------------------------

  async #hello(request: RequestFn) {
    const channels: Record<string, number> = {};
    // Every channel held, even an empty one (lastSeq 0): what was sent while away is replayed.
    for (const [id, st] of Object.entries(this.chat.value)) channels[id] = st.lastSeq;
    // The people whose presence is shown: their snapshot comes back in the ack, changes follow.
    const r = await request<{ presence: PresenceInfo[] }>("hello", {
      channels,
      page: globalThis.location?.pathname ?? "",
      presenceSub: this.#follows.forHello(),
    }).catch((e) => {
      this.#follows.reset();
      throw e;
    });
    this.#follows.merge(r.presence, true);
    // A view may have added people while the hello was on its way.
    this.#follows.changed();
  }

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
    const follow = this.store.apply(e);
    if (follow && "replay" in follow) void this.#replay(follow.replay.channelId, follow.replay.afterSeq);
    else if (follow && "resync" in follow) void this.#resync(follow.resync);
    else if (follow && "refreshChannels" in follow) void this.refreshChannels().catch(() => {});
    else if (follow && "ownMessage" in follow) this.#outbox.remove(follow.ownMessage.clientId ?? "");
    this.#emit(e);
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
      this.store.applyAll(r.events);
    } catch {
      // Offline: the resume on reconnect covers it.
    } finally {
      this.#replaying.delete(channelId);
    }
  }

  async #resync(channelId: number) {
    this.store.drop(channelId);
    await this.loadLatest(channelId).catch(() => {});
  }

  // ---- actions --------------------------------------------------------------------------------

  /** Queues a message; it shows as pending at once and is sent (now or after reconnect) with its key. */
  send(channelId: number, body: string, replyTo: number | null = null): string {
    const clientId = this.#outbox.add(channelId, body, replyTo);
    this.stopTyping(channelId);
    this.#flushOutbox();
    return clientId;
  }

  retry(clientId: string) {
    this.#outbox.retry(clientId);
    this.#flushOutbox();
  }

  discard(clientId: string) {
    this.#outbox.remove(clientId);
  }

  #flushOutbox() {
    if (this.status.value !== "open") return;
    this.#outbox.flush(
      async (item) =>
        (await this.request<{ message: Message }>("send_message", {
          channelId: item.channelId,
          clientId: item.clientId,
          body: item.body,
          replyTo: item.replyTo,
        })).message,
      (message) => {
        if (this.chat.value[message.channelId]) this.store.merge(message.channelId, [message], 0);
      },
      () => this.#flushOutbox(),
    );
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

  /** Marks the channel read up to `upToSeq` (default: everything held). */
  async markRead(channelId: number, upToSeq?: number) {
    const latest = this.store.latestSeq(channelId);
    const seq = Math.min(upToSeq ?? latest, latest);
    const c = this.counts.value[channelId];
    if (c && c.lastReadSeq >= seq && (seq < latest || (c.unread === 0 && c.mentions === 0))) return;
    const before = this.counts.value;
    // Reading to the end clears the counts at once; a partial read waits for the server's numbers.
    if (seq >= latest) {
      this.counts.value = { ...before, [channelId]: { unread: 0, mentions: 0, lastReadSeq: seq } };
    }
    try {
      await this.request("message_read", { channelId, seq });
    } catch {
      // Not sent (offline): restore the counts so the next call sends it again.
      if (this.counts.value[channelId]?.lastReadSeq === seq && seq >= latest) {
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

export { ChatApi, Rest };
