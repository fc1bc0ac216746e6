/**
 * The admin console's shell: the "Admin" navigation (only the tabs the person may open; the server checks
 * each page and endpoint again) and the current tab, rendered on the server and hydrated in the browser.
 */
import { type TabId, TABS } from "./tabs.ts";
import { People, type PeopleData } from "./People.tsx";
import { Channels, type ChannelsData } from "./Channels.tsx";
import { Audit, type AuditData } from "./Audit.tsx";
import { Roles, type RolesData } from "./Roles.tsx";
import { Settings, type SettingsData } from "./Settings.tsx";
import { Control, type ControlData } from "./Control.tsx";
import { Dashboard, type DashboardData } from "./Dashboard.tsx";
import { Analytics, type AnalyticsData } from "./Analytics.tsx";
import { Monitor, type MonitorData } from "./Monitor.tsx";

export interface AdminProps {
  tab: TabId;
  tabs: TabId[];
  me: { displayName: string; role: string };
  // deno-lint-ignore no-explicit-any
  data: any;
}

export function AdminApp(p: AdminProps) {
  const current = TABS.find((t) => t.id === p.tab)!;
  return (
    <div class="min-h-full flex flex-col md:flex-row bg-main text-fg">
      <a
        href="#admin-main"
        class="sr-only focus:not-sr-only focus:absolute focus:z-50 focus:bg-main focus:p-2"
      >
        Skip to content
      </a>
      <header class="md:w-56 shrink-0 bg-sidebar border-b md:border-b-0 md:border-r border-line p-3">
        <p class="font-bold text-lg mb-1">Parley admin</p>
        <p class="text-xs text-muted mb-3">{p.me.displayName} · {p.me.role}</p>
        <nav aria-label="Admin">
          <ul class="flex flex-wrap md:flex-col gap-1">
            {TABS.filter((t) => p.tabs.includes(t.id)).map((t) => (
              <li key={t.id}>
                <a
                  href={`/admin/${t.id}`}
                  aria-current={t.id === p.tab ? "page" : undefined}
                  class={`block px-3 py-1.5 rounded text-sm ${
                    t.id === p.tab ? "bg-selected font-semibold" : "hover:bg-hover"
                  }`}
                >
                  {t.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="mt-4 text-sm">
          <a class="underline text-link" href="/chat">Back to chat</a>
        </p>
      </header>
      <main id="admin-main" class="flex-1 min-w-0 p-4 md:p-6 overflow-auto">
        <h1 class="text-2xl font-bold mb-4">{current.label}</h1>
        <Body {...p} />
      </main>
    </div>
  );
}

function Body(p: AdminProps) {
  switch (p.tab) {
    case "people":
      return <People initial={p.data as PeopleData} />;
    case "channels":
      return <Channels initial={p.data as ChannelsData} />;
    case "audit":
      return <Audit initial={p.data as AuditData} />;
    case "roles":
      return <Roles data={p.data as RolesData} />;
    case "settings":
      return <Settings initial={p.data as SettingsData} />;
    case "control":
      return <Control initial={p.data as ControlData} />;
    case "dashboard":
      return <Dashboard initial={p.data as DashboardData} />;
    case "monitor":
      return <Monitor initial={p.data as MonitorData} />;
    case "analytics":
      return <Analytics initial={p.data as AnalyticsData} />;
    default:
      return (
        <p class="text-muted">
          This tab is not built yet in this version of Parley; see docs/admin.md for what is planned.
        </p>
      );
  }
}
