/**
 * Which people's presence this client receives (the socket's `presence_sub`): the signed-in person, the
 * partners of their direct and group messages (the sidebar's and the widget's dots), and whoever an open
 * view adds while it shows them (`add`: the people search, the new-conversation list). Sent in the hello,
 * so a reconnect gets the snapshot in one round trip, and again (debounced) when the set changes.
 * No Deno APIs: bundled for the browser.
 */
import { effect } from "@preact/signals";
import type { PresenceInfo } from "../protocol.ts";
import type { ChatStore } from "./store.ts";

/** The server's cap on one socket's subscription. */
export const MAX_FOLLOWS = 500;
const DEBOUNCE_MS = 50;

export class PresenceFollows {
  /** Ids views asked for, with how many views show each. */
  readonly #shown = new Map<number, number>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** The list the socket has (as sent), "" when unknown. */
  #sent = "";
  readonly #dispose: () => void;

  constructor(
    private store: ChatStore,
    /** Sends `presence_sub` when the socket is open; null when it is not (the next hello carries it). */
    private send: (userIds: number[]) => Promise<PresenceInfo[]> | null,
  ) {
    this.#dispose = effect(() => {
      void this.store.channels.value;
      void this.store.me.value;
      this.changed();
    });
  }

  /** Everyone followed now: me first, then conversation partners, then what views show; capped. */
  list(): number[] {
    const ids = new Set<number>();
    const me = this.store.me.value?.id;
    if (me !== undefined) ids.add(me);
    for (const c of this.store.channels.value) {
      if (c.kind !== "direct_message" && c.kind !== "group") continue;
      for (const m of c.members ?? []) ids.add(m.id);
    }
    for (const id of this.#shown.keys()) ids.add(id);
    return [...ids].slice(0, MAX_FOLLOWS);
  }

  /** A view shows these people's presence until the returned function is called. */
  add(userIds: number[]): () => void {
    for (const id of userIds) this.#shown.set(id, (this.#shown.get(id) ?? 0) + 1);
    this.changed();
    return () => {
      for (const id of userIds) {
        const n = (this.#shown.get(id) ?? 0) - 1;
        if (n > 0) this.#shown.set(id, n);
        else this.#shown.delete(id);
      }
      this.changed();
    };
  }

  /** The list for a hello (the socket will have it once the hello is acknowledged). */
  forHello(): number[] {
    const ids = this.list();
    this.#sent = key(ids);
    return ids;
  }

  /** The hello's or a `presence_sub`'s snapshot: what the server said about the people followed. */
  merge(snapshot: PresenceInfo[], replace = false) {
    const next = replace ? {} : { ...this.store.presence.value };
    for (const p of snapshot) next[p.userId] = p;
    this.store.presence.value = next;
  }

  /** The socket closed: the next hello sends the list again. */
  reset() {
    this.#sent = "";
  }

  changed() {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const ids = this.list();
      const k = key(ids);
      if (k === this.#sent) return;
      const pending = this.send(ids);
      if (!pending) return;
      this.#sent = k;
      pending.then((snap) => this.merge(snap)).catch(() => {
        this.#sent = "";
      });
    }, DEBOUNCE_MS);
  }

  stop() {
    this.#dispose();
    if (this.#timer !== null) clearTimeout(this.#timer);
  }
}

const key = (ids: number[]) => [...ids].sort((a, b) => a - b).join(",");
