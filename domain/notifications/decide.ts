/**
 * Who a message concerns and why, as pure functions: the per-conversation level (all / mentions / mute),
 * direct @mentions, @here / @channel / @everyone (restricted in large channels), and keywords.
 */
import type { Level, Prefs } from "./prefs.ts";
import { keywordHit } from "../../shared/keywords.ts";

export { keywordHit };

export type Reason = "dm" | "mention" | "keyword" | "all";
export type ChannelKind = "public_channel" | "private_channel" | "direct_message" | "group";

/** `here`, `channel` (also @everyone) or null: the broadest group mention in a body. */
export function broadMention(body: string): "here" | "channel" | null {
  let found: "here" | "channel" | null = null;
  for (const m of body.matchAll(/(?:^|[^\w@])@(here|channel|everyone)\b/gi)) {
    if (m[1].toLowerCase() !== "here") return "channel";
    found = "here";
  }
  return found;
}

/**
 * Whether a body holds a broad mention, as stored with a message (`messages.broad_mention`, set when it is
 * stored or edited): the notification scan reads in full only messages that have one, a mention of a person,
 * or are in a direct or group conversation, unless someone in the conversation takes every message.
 */
export function hasBroadMention(body: string): boolean {
  return body.includes("@") && broadMention(body) !== null;
}

export function defaultLevel(
  kind: ChannelKind,
  defaults: { dm: Level; group: Level; channel: Level },
): Level {
  return kind === "direct_message" ? defaults.dm : kind === "group" ? defaults.group : defaults.channel;
}

export interface Candidate {
  userId: number;
  level: Level;
  keywords: Prefs["keywords"];
  online: boolean;
}

export interface MessageFacts {
  senderId: number | null;
  channelKind: ChannelKind;
  body: string;
  mentions: readonly number[];
  /** The sender may use @here/@channel here (small channel, or they moderate it). */
  broadAllowed: boolean;
  /**
   * `broadMention(body)` when `broadAllowed`, already computed (the scanner asks once per message, not once
   * per member); computed here when absent.
   */
  broad?: "here" | "channel" | null;
}

/** Why this message should reach this person, or null when it should not. */
export function reasonFor(m: MessageFacts, c: Candidate): Reason | null {
  if (c.userId === m.senderId || c.level === "mute") return null;
  const broad = !m.broadAllowed ? null : m.broad !== undefined ? m.broad : broadMention(m.body);
  if (m.mentions.includes(c.userId) || broad === "channel" || (broad === "here" && c.online)) {
    return "mention";
  }
  if (keywordHit(m.body, c.keywords)) return "keyword";
  if (c.level !== "all") return null;
  return m.channelKind === "direct_message" || m.channelKind === "group" ? "dm" : "all";
}

/** Reasons that earn an email when left unread. */
export const MAILED: readonly Reason[] = ["dm", "mention", "keyword"];
