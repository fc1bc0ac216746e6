/**
 * The chat state the islands render: @preact/signals updated by server events through the pure
 * `applyEvent` reducer, plus counts, presence, typing and receipts. It does no I/O: when an event shows a
 * gap, `apply` says which channel needs a replay and the client fetches it.
 * No Deno APIs: bundled for the browser.
 */
import { batch, signal } from "@preact/signals";
import {
  applyEvent,
  type ChannelSummary,
  type ChatState,
  type Message,
  needsReplay,
  type PresenceInfo,
  type SequencedEvent,
  type ServerEvent,
} from "../protocol.ts";
import { channelDisplayName } from "../../shared/naming.ts";
import type { Me, UserInfo } from "./rest.ts";

export interface Counts {
  unread: number;
  mentions: number;
  lastReadSeq: number;
}

const TYPING_TTL_MS = 6_000;

/** What an event asks of the client beyond the state change. */
export type Follow =
  | { replay: { channelId: number; afterSeq: number } }
  | { resync: number }
  | {
    refreshChannels: true;
  }
  | { ownMessage: Message }
  | null;

export class ChatStore {
  readonly me = signal<Me | null>(null);
  readonly channels = signal<ChannelSummary[]>([]);
  readonly chat = signal<ChatState>({});
  readonly presence = signal<Record<number, PresenceInfo>>({});
  readonly typingUsers = signal<Record<number, number[]>>({});
  readonly counts = signal<Record<number, Counts>>({});
  readonly users = signal<Record<number, UserInfo>>({});
  /** Read positions of other members per channel (for ✓✓ receipts in DMs and groups). */
  readonly receipts = signal<Record<number, Record<number, number>>>({});
  /** Whether older history exists per channel (absent: not loaded yet). */
  readonly hasOlder = signal<Record<number, boolean>>({});

  #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  setChannels(channels: ChannelSummary[]) {
    batch(() => {
      this.channels.value = channels;
      const counts = { ...this.counts.value };
      for (const c of channels) {
        counts[c.id] = { unread: c.unread ?? 0, mentions: c.mentions ?? 0, lastReadSeq: c.lastReadSeq ?? 0 };
      }
      this.counts.value = counts;
    });
  }

  setHasOlder(channelId: number, older: boolean) {
    this.hasOlder.value = { ...this.hasOlder.value, [channelId]: older };
  }

  setReceipts(channelId: number, members: { id: number; lastReadSeq: number }[]) {
    this.receipts.value = {
      ...this.receipts.value,
      [channelId]: Object.fromEntries(members.map((m) => [m.id, m.lastReadSeq])),
    };
  }

  /** Merges messages into a channel's state, keeping id order, without moving its sequence backwards. */
  merge(channelId: number, msgs: Message[], lastSeq: number) {
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

  /** Applies replayed events in order. */
  applyAll(events: SequencedEvent[]) {
    let state = this.chat.value;
    for (const ev of events) state = applyEvent(state, ev);
    this.chat.value = state;
  }

  /** Forgets a channel's messages (before loading it afresh). */
  drop(channelId: number) {
    const { [channelId]: _drop, ...rest } = this.chat.value;
    this.chat.value = rest;
  }

  /** The highest sequence known for a channel, from its messages or its summary. */
  latestSeq(channelId: number): number {
    return Math.max(
      this.chat.value[channelId]?.lastSeq ?? 0,
      this.channels.value.find((c) => c.id === channelId)?.lastSeq ?? 0,
    );
  }

  /** Applies one server event; returns what the client must do next, if anything. */
  apply(e: ServerEvent): Follow {
    switch (e.type) {
      case "message_received":
      case "message_updated":
      case "message_deleted":
      case "reaction_added":
      case "reaction_removed":
        return this.#onSequenced(e);
      case "unread_counts": {
        const counts = { ...this.counts.value };
        for (const c of e.counts) {
          counts[c.channelId] = { unread: c.unread, mentions: c.mentions, lastReadSeq: c.lastReadSeq };
        }
        this.counts.value = counts;
        return null;
      }
      case "presence_updated": {
        const next = { ...this.presence.value };
        for (const p of e.users) next[p.userId] = p;
        this.presence.value = next;
        return null;
      }
      case "user_typing":
        this.typing(e.channelId, e.userId, e.typing);
        return null;
      case "read_receipt":
        this.receipts.value = {
          ...this.receipts.value,
          [e.channelId]: { ...(this.receipts.value[e.channelId] ?? {}), [e.userId]: e.seq },
        };
        return null;
      case "channel_updated":
        this.channels.value = this.channels.value.map((c) =>
          c.id === e.channel.id ? this.#viewOf(c, e.channel) : c
        );
        return null;
      case "channel_removed":
        this.channels.value = this.channels.value.filter((c) => c.id !== e.channelId);
        return null;
      case "user_joined":
        return e.userId === this.me.value?.id && !this.channels.value.some((c) => c.id === e.channelId)
          ? { refreshChannels: true }
          : null;
      case "user_left":
        if (e.userId === this.me.value?.id) {
          this.channels.value = this.channels.value.filter((c) => c.id !== e.channelId);
        }
        return null;
      case "access_changed":
        // My role or permissions changed: what I may see and do is refetched.
        return { refreshChannels: true };
      case "resync_required":
        return { resync: e.channelId };
      default:
        return null;
    }
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

  #onSequenced(e: SequencedEvent): Follow {
    const st = this.chat.value[e.channelId];
    if (st && needsReplay(this.chat.value, e)) {
      return { replay: { channelId: e.channelId, afterSeq: st.lastSeq } };
    }
    // Not loaded yet: keep nothing but the position, so a later load starts from the truth.
    if (st) this.chat.value = applyEvent(this.chat.value, e);
    this.channels.value = this.channels.value.map((c) =>
      c.id === e.channelId
        ? {
          ...c,
          lastSeq: Math.max(c.lastSeq, e.seq),
          lastMessageAt: e.type === "message_received" ? e.message.createdAt : c.lastMessageAt,
        }
        : c
    );
    if (e.type !== "message_received") return null;
    const m = e.message;
    const me = this.me.value?.id;
    if (m.senderId === me) return { ownMessage: m };
    if (m.replyTo === null) {
      const c = this.counts.value[m.channelId] ?? { unread: 0, mentions: 0, lastReadSeq: 0 };
      const mention = me !== undefined && m.mentions.includes(me);
      this.counts.value = {
        ...this.counts.value,
        [m.channelId]: { ...c, unread: c.unread + 1, mentions: c.mentions + (mention ? 1 : 0) },
      };
    }
    return null;
  }

  /** Someone started or stopped typing; a start expires by itself after a few seconds. */
  typing(channelId: number, userId: number, typing: boolean) {
    if (userId === this.me.value?.id) return;
    const key = `${channelId}:${userId}`;
    const cur = this.typingUsers.value[channelId] ?? [];
    clearTimeout(this.#typingTimers.get(key));
    this.#typingTimers.delete(key);
    const next = cur.filter((u) => u !== userId);
    if (typing) {
      next.push(userId);
      this.#typingTimers.set(key, setTimeout(() => this.typing(channelId, userId, false), TYPING_TTL_MS));
    }
    this.typingUsers.value = { ...this.typingUsers.value, [channelId]: next };
  }
}
