/** Display names for conversations, exactly as the full Orvale plan (3.1.1) describes them. */
import type { ChannelKind, UserSummary } from "../realtime/protocol.ts";

/** DM: only the other participant's name. */
export function dmDisplayName(participants: UserSummary[], me: number): string {
  return participants.filter((p) => p.id !== me).map((p) => p.displayName)[0] ?? "Just you";
}

/** Group: "Jane Smith & Bob Wilson" for two others, three names for three, then "A, B, Person N". */
export function groupDisplayName(participants: UserSummary[], me: number): string {
  const others = participants.filter((p) => p.id !== me);
  if (others.length === 2) return `${others[0].displayName} & ${others[1].displayName}`;
  if (others.length === 3) {
    return `${others[0].displayName}, ${others[1].displayName}, ${others[2].displayName}`;
  }
  if (others.length > 3) {
    return `${others[0].displayName}, ${others[1].displayName}, Person ${others.length - 1}`;
  }
  return others[0]?.displayName ?? "Group Chat";
}

export function channelDisplayName(
  kind: ChannelKind,
  name: string,
  participants: UserSummary[],
  me: number,
): string {
  if (kind === "direct_message") return dmDisplayName(participants, me);
  if (kind === "group") return groupDisplayName(participants, me);
  return `# ${name}`;
}
