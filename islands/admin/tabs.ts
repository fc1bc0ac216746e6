/** The console's tabs and the permission each needs (checked on the server by routes/pages/admin/). */
import type { Permission } from "../../domain/permissions.ts";

export const TABS = [
  { id: "dashboard", label: "Dashboard", needs: ["chat.admin_dashboard"] },
  { id: "people", label: "People", needs: ["chat.manage_users"] },
  { id: "roles", label: "Roles", needs: ["chat.manage_users"] },
  { id: "channels", label: "Channels", needs: ["chat.manage_channels"] },
  { id: "monitor", label: "Monitor", needs: ["chat.monitor_all"] },
  { id: "analytics", label: "Analytics", needs: ["chat.view_analytics"] },
  { id: "settings", label: "Settings", needs: ["chat.admin_dashboard", "chat.customize_widget"] },
  { id: "control", label: "Control panel", needs: ["chat.admin_dashboard"] },
  { id: "audit", label: "Audit log", needs: ["chat.admin_dashboard"] },
] as const satisfies readonly { id: string; label: string; needs: readonly Permission[] }[];

export type TabId = typeof TABS[number]["id"];

/** The tabs someone with these permissions may open (any one of a tab's permissions is enough). */
export function allowedTabs(perms: { has(p: Permission): boolean }): TabId[] {
  return TABS.filter((t) => t.needs.some((p) => perms.has(p))).map((t) => t.id);
}
