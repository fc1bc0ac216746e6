/** Dashboard: health and live figures, refreshed every few seconds. */
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.ts";
import { Section } from "./ui.tsx";
import { Chart } from "./Chart.tsx";

export interface DashboardData {
  engine: string;
  instance: string;
  uptimeSeconds: number;
  version: string;
  peopleOnline: number;
  openTabs: number;
  instances: { id: string; connections: number }[];
  messages24h: number;
  messagesTotal: number;
  databaseBytes: number | null;
  messagesBytes: number | null;
  filesBytes: number;
  files: number;
  visitorsWaiting: number;
  visitorChatsActive: number;
  messagesPerHour: { hour: string; messages: number }[];
  messagesPerDay: { day: string; messages: number }[];
}

export const fmtBytes = (n: number | null) =>
  n === null
    ? "—"
    : n >= 1e9
    ? `${(n / 1e9).toFixed(2)} GB`
    : n >= 1e6
    ? `${(n / 1e6).toFixed(1)} MB`
    : `${Math.round(n / 1e3)} kB`;

export function Dashboard({ initial }: { initial: DashboardData }) {
  const [d, setD] = useState(initial);
  useEffect(() => {
    const id = setInterval(() => {
      api<DashboardData>("GET", "/api/admin/dashboard").then(setD).catch(() => {});
    }, 5000);
    return () => clearInterval(id);
  }, []);
  const figure = (label: string, value: string | number) => (
    <div class="rounded border border-line p-3">
      <dt class="text-xs text-muted">{label}</dt>
      <dd class="text-2xl font-bold">{value}</dd>
    </div>
  );
  return (
    <div>
      <Section title="Live figures">
        <dl class="grid grid-cols-2 md:grid-cols-4 gap-3">
          {figure("People online", d.peopleOnline)}
          {figure("Open tabs", d.openTabs)}
          {figure("Visitors waiting", d.visitorsWaiting)}
          {figure("Active visitor chats", d.visitorChatsActive)}
          {figure("Messages in the last 24 hours", d.messages24h)}
          {figure("Messages stored", d.messagesTotal)}
        </dl>
      </Section>
      <Section title="Storage">
        <dl class="grid grid-cols-2 md:grid-cols-4 gap-3">
          {figure("Messages", fmtBytes(d.messagesBytes))}
          {figure(`Files (${d.files})`, fmtBytes(d.filesBytes))}
          {figure("Database size", fmtBytes(d.databaseBytes))}
        </dl>
      </Section>
      <Section title="Messages">
        <Chart
          title="Messages per hour, last 24 hours (UTC)"
          xLabel="Hour"
          x={d.messagesPerHour.map((h) => h.hour)}
          series={[{ label: "Messages", values: d.messagesPerHour.map((h) => h.messages) }]}
        />
        <Chart
          title="Messages per day, last 30 days"
          xLabel="Day"
          x={d.messagesPerDay.map((h) => h.day)}
          series={[{ label: "Messages", values: d.messagesPerDay.map((h) => h.messages) }]}
          csv="/api/admin/analytics/export?chart=per_day&days=30"
        />
      </Section>
      <Section title="Health">
        <dl class="grid grid-cols-2 md:grid-cols-4 gap-3">
          {figure("Database", d.engine)}
          {figure("Uptime", `${Math.floor(d.uptimeSeconds / 60)} min`)}
          {figure("Version", d.version)}
        </dl>
        <p class="text-sm mt-3">
          Instances:{" "}
          {d.instances.map((i) => `${i.id} (${i.connections} connections)`).join(", ") || d.instance}
        </p>
      </Section>
    </div>
  );
}
