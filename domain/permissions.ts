/** Permission names and the default sets per workspace role, from the full Orvale plan (section 1.4 and 8.3). */
export const PERMISSIONS = [
  "chat.access_channels",
  "chat.create_channels",
  "chat.manage_channels",
  "chat.delete_messages",
  "chat.moderate_channels",
  "chat.access_private",
  "chat.send_files",
  "chat.create_direct",
  "chat.admin_dashboard",
  "chat.system_broadcast",
  "chat.monitor_all",
  "chat.manage_users",
  "chat.view_analytics",
  "chat.customize_widget",
  "chat.make_audio_calls",
  "chat.make_video_calls",
  "chat.receive_calls",
  "chat.record_calls",
  "chat.monitor_calls",
  /** Visitor chat: see the queue, claim, answer, end and escalate visitor conversations. */
  "chat.public_queue",
  /** Visitor chat: transfer conversations to another agent or a team. */
  "chat.public_transfer",
  /** Visitor chat: see and act on every visitor conversation, ratings and the webhook log. */
  "chat.public_monitor",
  "chat.screen_share",
  "chat.group_call",
] as const;
export type Permission = typeof PERMISSIONS[number];
export type WorkspaceRole = "admin" | "moderator" | "member" | "guest";

const MEMBER: Permission[] = [
  "chat.access_channels",
  "chat.create_direct",
  "chat.send_files",
  "chat.make_audio_calls",
  "chat.make_video_calls",
  "chat.receive_calls",
  "chat.screen_share",
  "chat.group_call",
];
const MODERATOR: Permission[] = [
  ...MEMBER,
  "chat.create_channels",
  "chat.access_private",
  "chat.moderate_channels",
  "chat.delete_messages",
  "chat.manage_users",
  "chat.public_queue",
  "chat.public_transfer",
];

export const ROLE_PERMISSIONS: Record<WorkspaceRole, readonly Permission[]> = {
  guest: ["chat.access_channels"],
  member: MEMBER,
  moderator: MODERATOR,
  admin: PERMISSIONS,
};

/** The ranks a custom role may sit at: any built-in role below admin. */
export const CUSTOM_RANKS = ["moderator", "member", "guest"] as const;
export type CustomRank = typeof CUSTOM_RANKS[number];

export const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);

/**
 * What a person may do: their custom role's permissions when they hold one (`rolePermissions`, which
 * replace the built-in role's defaults), else their built-in role's defaults; plus any permissions granted
 * to them individually.
 */
export function effectivePermissions(
  role: WorkspaceRole,
  extra: readonly string[],
  rolePermissions: readonly string[] | null,
): Set<Permission> {
  const set = new Set<Permission>(
    rolePermissions ? rolePermissions.filter(isPermission) : ROLE_PERMISSIONS[role] ?? [],
  );
  for (const p of extra) if ((PERMISSIONS as readonly string[]).includes(p)) set.add(p as Permission);
  return set;
}
