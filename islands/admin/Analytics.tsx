/**
 * Analytics: message volume per day with active people and files (a uPlot chart), the hour-of-week heatmap
 * (a table whose cells are shaded by volume), the busiest channels, and visitor chat figures with ratings
 * by agent and team. Every block has a table and a CSV download.
 */
import { useState } from "preact/hooks";
import { api } from "./api.ts";
import { btn, Field, input, Section, StatusLine, td, th } from "./ui.tsx";
import { AdminTable } from "./table.tsx";
import { Chart } from "./Chart.tsx";

export interface AnalyticsData {
  days: number;
  perDay: { day: string; messages: number; activePeople: number; files: number }[];
  weekHours: { dow: number; hour: number; messages: number }[];
  busiestChannels: { id: number; name: string; messages: number }[];
  visitor: {
    chats: number;
    answered: number;
    waitSeconds: number | null;
    firstAnswerSeconds: number | null;
    lengthSeconds: number | null;
  };
  ratings: { agent: string; team: string; scale: string; ratings: number; average: number }[];
}

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const secs = (n: number | null) => n === null ? "—" : n < 120 ? `${n} s` : `${Math.round(n / 60)} min`;

function Download({ chart, days, what }: { chart: string; days: number; what: string }) {
  return (
    <a class={btn} href={`/api/admin/analytics/export?chart=${chart}&days=${days}`} download>
      Download CSV: {what}
    </a>
  );
}

export function Analytics({ initial }: { initial: AnalyticsData }) {
  const [a, setA] = useState(initial);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const load = async (days: number) => {
    try {
      setA(await api<AnalyticsData>("GET", `/api/admin/analytics?days=${days}`));
      setStatus({ text: `Showing the last ${days} days` });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };
  const cell = new Map(a.weekHours.map((r) => [`${r.dow}:${r.hour}`, r.messages]));
  const max = Math.max(1, ...a.weekHours.map((r) => r.messages));
  const v = a.visitor;
  return (
    <div>
      <Field label="Period">
        <select class={`${input} w-40`} value={a.days} onChange={(e) => load(Number(e.currentTarget.value))}>
          {[7, 30, 90, 365].map((d) => <option key={d} value={d}>Last {d} days</option>)}
        </select>
      </Field>
      <StatusLine status={status} />
      <Chart
        title="Messages, active people and files per day"
        xLabel="Day"
        x={a.perDay.map((d) => d.day)}
        series={[
          { label: "Messages", values: a.perDay.map((d) => d.messages) },
          { label: "Active people", values: a.perDay.map((d) => d.activePeople) },
          { label: "Files shared", values: a.perDay.map((d) => d.files) },
        ]}
        csv={`/api/admin/analytics/export?chart=per_day&days=${a.days}`}
      />
      <Section title="Messages by hour of the week (UTC)">
        <div class="overflow-x-auto">
          <table class="text-xs">
            <caption class="sr-only">Messages by day of the week and hour, UTC</caption>
            <thead>
              <tr>
                <td />
                {Array.from({ length: 24 }, (_, h) => <th key={h} scope="col" class="px-1">{h}</th>)}
              </tr>
            </thead>
            <tbody>
              {DAYS.map((day, i) => (
                <tr key={day}>
                  <th scope="row" class="text-left pr-2">{day}</th>
                  {Array.from({ length: 24 }, (_, h) => {
                    const n = cell.get(`${i + 1}:${h}`) ?? 0;
                    return (
                      <td
                        key={h}
                        class="px-1 text-center border border-line"
                        style={{ background: `rgba(17, 100, 163, ${(n / max) * 0.6})` }}
                        title={`${day} ${h}:00 – ${n} messages`}
                      >
                        {n || ""}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="mt-2">
          <Download chart="week_hours" days={a.days} what="messages by hour of the week" />
        </p>
      </Section>
      <Section title="Busiest channels">
        <AdminTable
          caption="Busiest channels"
          rows={a.busiestChannels}
          rowKey={(c) => c.id}
          empty="No messages in this period"
          columns={[{ header: "Channel", cell: (c) => `#${c.name}` }, {
            header: "Messages",
            cell: (c) => c.messages,
          }]}
        />
        <Download chart="busiest_channels" days={a.days} what="busiest channels" />
      </Section>
      <Section title="Visitor chat">
        <dl class="grid grid-cols-2 md:grid-cols-5 gap-3 mb-3">
          {([
            ["Chats", v.chats],
            ["Answered", v.answered],
            ["Average wait", secs(v.waitSeconds)],
            ["Time to first answer", secs(v.firstAnswerSeconds)],
            ["Average chat length", secs(v.lengthSeconds)],
          ] as const).map(([k, val]) => (
            <div key={k} class="rounded border border-line p-3">
              <dt class="text-xs text-muted">{k}</dt>
              <dd class="text-xl font-bold">{val}</dd>
            </div>
          ))}
        </dl>
        <p class="mb-3">
          <Download chart="visitor" days={a.days} what="visitor chat figures" />
        </p>
        <table class="w-full text-sm mb-3">
          <caption class="text-left font-semibold mb-1">Ratings by agent and team</caption>
          <thead>
            <tr>
              {["Agent", "Team", "Scale", "Ratings", "Average"].map((h) => (
                <th key={h} class={th} scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {a.ratings.length === 0 && (
              <tr>
                <td class={td} colSpan={5}>No ratings in this period</td>
              </tr>
            )}
            {a.ratings.map((r) => (
              <tr key={`${r.agent}-${r.team}-${r.scale}`}>
                <td class={td}>{r.agent}</td>
                <td class={td}>{r.team || "—"}</td>
                <td class={td}>{r.scale}</td>
                <td class={td}>{r.ratings}</td>
                <td class={td}>{r.average}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Download chart="ratings" days={a.days} what="ratings by agent and team" />
      </Section>
    </div>
  );
}
