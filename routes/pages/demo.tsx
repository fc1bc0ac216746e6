/** Demo pages that stand in for the host application (a ticket system) so the widget can be tried. */
import { t } from "../../i18n/mod.ts";
import type { Me } from "../../realtime/client.ts";

const TICKETS = [
  ["T-1042", "Printer on 3rd floor says PC LOAD LETTER", "Carol Smith", "Open", "High"],
  ["T-1041", "VPN drops every 20 minutes", "Dave Brown", "Open", "Medium"],
  ["T-1039", "New laptop for Bob", "Bob Wilson", "Waiting on customer", "Low"],
  ["T-1036", "Access to #dev-team", "Alice Johnson", "Open", "Low"],
  ["T-1030", "Server migration checklist", "Ada Admin", "In progress", "High"],
];

export function DemoPage({ page, me }: { page: "dashboard" | "tickets"; me: Me | null }) {
  const nav = "px-3 py-1.5 rounded-md text-sm font-medium";
  return (
    <div class="min-h-full bg-sidebar text-fg">
      <header class="flex flex-wrap items-center gap-3 px-6 py-3 bg-main border-b border-line">
        <span class="font-bold text-lg">🏠 {t("demo.title")}</span>
        <nav aria-label={t("demo.title")} class="flex gap-1">
          <a
            href="/demo"
            aria-current={page === "dashboard" ? "page" : undefined}
            class={`${nav} ${page === "dashboard" ? "bg-selected" : "hover:bg-hover"}`}
          >
            {t("demo.dashboard")}
          </a>
          <a
            href="/demo/tickets"
            aria-current={page === "tickets" ? "page" : undefined}
            class={`${nav} ${page === "tickets" ? "bg-selected" : "hover:bg-hover"}`}
          >
            {t("demo.tickets")}
          </a>
          <a href="/chat" class={`${nav} hover:bg-hover`}>{t("demo.chat")}</a>
        </nav>
        <span class="ml-auto text-sm text-muted">
          {me
            ? me.displayName
            : <a class="underline text-link" href="/login?next=/demo">{t("login.submit")}</a>}
        </span>
      </header>
      <main class="max-w-5xl mx-auto p-6 flex flex-col gap-6">
        <h1 class="text-2xl font-bold">{page === "tickets" ? t("demo.tickets") : t("demo.dashboard")}</h1>
        <p class="text-muted">{page === "tickets" ? t("demo.ticketsIntro") : t("demo.intro")}</p>
        {page === "dashboard"
          ? (
            <div class="grid grid-cols-1 sm:grid-cols-3 gap-4">
              {[[t("demo.open"), "12"], [t("demo.today"), "7"], [t("demo.waiting"), "3"]].map(([k, v]) => (
                <div key={k} class="rounded-xl border border-line bg-main p-5">
                  <p class="text-sm text-muted">{k}</p>
                  <p class="text-3xl font-bold">{v}</p>
                </div>
              ))}
            </div>
          )
          : (
            <table class="w-full text-sm bg-main rounded-xl border border-line overflow-hidden">
              <caption class="sr-only">{t("demo.tickets")}</caption>
              <thead class="bg-sidebar text-left">
                <tr>
                  {["#", "Subject", "Requester", "Status", "Priority"].map((h) => (
                    <th key={h} scope="col" class="px-3 py-2">{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {TICKETS.map((r) => (
                  <tr key={r[0]} class="border-t border-line">
                    {r.map((c, i) => <td key={i} class="px-3 py-2">{c}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </main>
    </div>
  );
}
