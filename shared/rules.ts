/**
 * Rules the browser shows and the server enforces, spelled once: the channel name's characters and
 * length, and who may manage or moderate a channel. The domain validates and authorizes with these; the
 * forms and menus use them to offer only what will be accepted. The server stays the authority.
 */

/** Channel names: letters and digits, then also '.', '_' or '-'; stored lower-case; at most 80. */
export const CHANNEL_NAME_MAX = 80;
export const CHANNEL_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u;
export const CHANNEL_NAME_RULE = "use letters, digits, '.', '_' or '-', starting with a letter or digit";

/** Why a channel name would be refused, or null when it is fine (after trimming and lower-casing). */
export function channelNameProblem(raw: string): string | null {
  const name = raw.trim().toLowerCase();
  if (!name) return "Give the channel a name";
  if (name.length > CHANNEL_NAME_MAX) return `At most ${CHANNEL_NAME_MAX} characters`;
  if (!CHANNEL_NAME_PATTERN.test(name)) return `Names ${CHANNEL_NAME_RULE}`;
  return null;
}

/** The channel roles that may moderate (block, remove, add to private channels). */
export const isModeratorRole = (role: string | null | undefined) =>
  role === "owner" || role === "admin" || role === "moderator";

/**
 * Manage a channel (settings, roles, archive): its owners and admins, or chat.manage_channels. DMs and
 * groups (`conversation`) have no owners or admins, whatever a member row says.
 */
export function canManageChannel(
  permissions: Iterable<string>,
  role: string | null | undefined,
  conversation = false,
): boolean {
  return new Set(permissions).has("chat.manage_channels") ||
    (!conversation && (role === "owner" || role === "admin"));
}

/** Moderate a channel (block, remove members): its moderators, or chat.moderate/manage_channels. */
export function canModerateChannel(
  permissions: Iterable<string>,
  role: string | null | undefined,
  conversation = false,
): boolean {
  const p = new Set(permissions);
  return p.has("chat.moderate_channels") || p.has("chat.manage_channels") ||
    (!conversation && isModeratorRole(role));
}
