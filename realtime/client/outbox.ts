/**
 * The outbox: messages written but not yet acknowledged. Persisted per user (localStorage in browsers), so
 * a send made offline survives a reload; each item keeps its idempotency key (`clientId`), so sending it
 * again after a lost ack never stores it twice. No Deno APIs: bundled for the browser.
 */
import { signal } from "@preact/signals";
import type { Message } from "../protocol.ts";
import { ApiError } from "./rest.ts";

export interface OutboxItem {
  clientId: string;
  channelId: number;
  body: string;
  replyTo: number | null;
  state: "pending" | "sending" | "failed";
  error?: string;
  createdAt: string;
}

/** A new idempotency key: time-ordered, random enough to never collide for one user. */
export function newClientId(): string {
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export class Outbox {
  readonly items = signal<OutboxItem[]>([]);
  #key = "parley.outbox.0";

  constructor(private storage: Storage | null) {}

  /** Loads the persisted items of a user; anything that was in flight is pending again. */
  load(userId: number) {
    this.#key = `parley.outbox.${userId}`;
    try {
      const raw = this.storage?.getItem(this.#key);
      const items = raw ? (JSON.parse(raw) as OutboxItem[]) : [];
      this.items.value = items.map((i) => (i.state === "sending" ? { ...i, state: "pending" } : i));
    } catch {
      this.items.value = [];
    }
  }

  update(fn: (items: OutboxItem[]) => OutboxItem[]) {
    this.items.value = fn(this.items.value);
    try {
      this.storage?.setItem(this.#key, JSON.stringify(this.items.value));
    } catch { /* storage full or disabled: the outbox still works in memory */ }
  }

  add(channelId: number, body: string, replyTo: number | null): string {
    const clientId = newClientId();
    const item: OutboxItem = {
      clientId,
      channelId,
      body,
      replyTo,
      state: "pending",
      createdAt: new Date().toISOString(),
    };
    this.update((items) => [...items, item]);
    return clientId;
  }

  #set(clientId: string, patch: Partial<OutboxItem>) {
    this.update((items) => items.map((i) => (i.clientId === clientId ? { ...i, ...patch } : i)));
  }

  remove(clientId: string) {
    this.update((items) => items.filter((i) => i.clientId !== clientId));
  }

  retry(clientId: string) {
    this.#set(clientId, { state: "pending", error: undefined });
  }

  /** The connection dropped: whatever was in flight is pending again. */
  requeue() {
    this.update((items) => items.map((i) => (i.state === "sending" ? { ...i, state: "pending" } : i)));
  }

  /** The timer of the next retry after a transient failure, and how many such retries ran in a row. */
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #retries = 0;

  /**
   * Sends every pending item once with `send`; a stored one leaves the outbox (and `stored` sees it), a
   * refusal marks it failed with the server's reason. A transient failure leaves it pending: when the
   * socket dropped, the reconnect flushes again; when the server did not answer in time or failed (the
   * socket still open), `again` runs after a back-off (1 s, doubling, at most 15 s), so a send on a slow
   * server is retried with the same key (stored once) instead of waiting for the next reconnect.
   */
  flush(
    send: (item: OutboxItem) => Promise<Message>,
    stored: (m: Message) => void,
    again: () => void = () => this.flush(send, stored, again),
  ) {
    for (const item of this.items.value) {
      if (item.state !== "pending") continue;
      this.#set(item.clientId, { state: "sending" });
      send(item).then((message) => {
        this.#retries = 0;
        this.remove(item.clientId);
        stored(message);
      }).catch((e: ApiError) => {
        if (e.code === "rate_limited") {
          this.#set(item.clientId, { state: "pending" });
          this.#retryIn((e.retryAfter ?? 2) * 1000, again);
          return;
        }
        const transient = e.code === "offline" || e.code === "timeout" || e.code === "internal";
        this.#set(item.clientId, transient ? { state: "pending" } : { state: "failed", error: e.message });
        if (e.code === "timeout" || e.code === "internal") {
          this.#retryIn(Math.min(15_000, 1000 * 2 ** this.#retries++), again);
        }
      });
    }
  }

  #retryIn(ms: number, again: () => void) {
    if (this.#retryTimer !== null) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      again();
    }, ms);
  }
}
