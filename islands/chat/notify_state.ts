/**
 * What the chat knows about notifications beyond the preferences: each conversation's level (all, mentions,
 * mute) with the workspace defaults per kind, whether I am in do not disturb now, and who else is (the moon
 * on avatars). Loaded at start, refreshed when my preferences change and every minute for the others.
 */
import { type Signal, signal } from "@preact/signals";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import type { NotificationsReply, NotifyLevel } from "../../realtime/client/rest.ts";
import type { ParleyClient } from "../../realtime/client.ts";

export interface NotifyState {
  levels: Signal<Record<number, NotifyLevel>>;
  defaults: Signal<NotificationsReply["defaultLevels"]>;
  myDnd: Signal<NotificationsReply["dnd"]>;
  dndUsers: Signal<ReadonlySet<number>>;
}

export function createNotifyState(): NotifyState {
  return {
    levels: signal({}),
    defaults: signal({ dm: "all", group: "all", channel: "mentions" }),
    myDnd: signal({ active: false, until: null }),
    dndUsers: signal(new Set()),
  };
}

/** The level that applies to a conversation: my choice, else the default of its kind. */
export function levelOf(n: NotifyState, c: Pick<ChannelSummary, "id" | "kind">): NotifyLevel {
  const d = n.defaults.value;
  return n.levels.value[c.id] ??
    (c.kind === "direct_message" ? d.dm : c.kind === "group" ? d.group : d.channel);
}

/** Whether I am in do not disturb right now. */
export function inDnd(n: NotifyState, now = Date.now()): boolean {
  const d = n.myDnd.value;
  return d.active && (d.until === null || Date.parse(d.until) > now);
}

export function applyReply(n: NotifyState, r: NotificationsReply) {
  n.levels.value = Object.fromEntries(r.levels.map((l) => [l.channelId, l.level]));
  n.defaults.value = r.defaultLevels;
  n.myDnd.value = r.dnd;
}

/** Loads and keeps the state fresh; returns a cleanup function. */
export function startNotifyState(client: ParleyClient, n: NotifyState): () => void {
  let stopped = false;
  const load = async () => {
    try {
      const r = await client.rest.notifications();
      if (!stopped) applyReply(n, r);
    } catch { /* signed out or offline: try again on the next change */ }
  };
  const others = async () => {
    try {
      const { userIds } = await client.rest.dndUsers();
      if (!stopped) n.dndUsers.value = new Set(userIds);
    } catch { /* offline */ }
  };
  void load();
  void others();
  const off = client.on("preferences_updated", () => {
    void load();
    void others();
  });
  const timer = setInterval(() => void others(), 60_000);
  return () => {
    stopped = true;
    off();
    clearInterval(timer);
  };
}
