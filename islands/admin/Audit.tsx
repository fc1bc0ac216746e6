/** The audit log: search, filter by action and date, load older entries, export the filtered log as CSV. */
import { useState } from "preact/hooks";
import { api, qs, when } from "./api.ts";
import { btn, Field, input, primary, Section, StatusLine, td, th } from "./ui.tsx";

interface Entry {
  id: number;
  actor: string | null;
  action: string;
  target: string;
  detail: unknown;
  ip: string;
  createdAt: string;
}
export interface AuditData {
  entries: Entry[];
  total: number;
  actions: string[];
}

export function Audit({ initial }: { initial: AuditData }) {
  const [data, setData] = useState(initial);
  const [f, setF] = useState({ q: "", action: "", from: "", to: "" });
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const load = async (filters = f, before?: number) => {
    try {
      const r = await api<AuditData>("GET", `/api/admin/audit${qs({ ...filters, before })}`);
      setData(before ? { ...r, entries: [...data.entries, ...r.entries] } : r);
      setStatus({ text: `${r.total} entries match` });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };
  const last = data.entries[data.entries.length - 1];
  return (
    <div>
      <Section title="Filter the audit log">
        <form
          role="search"
          class="flex flex-wrap gap-3 items-end"
          onSubmit={(e) => {
            e.preventDefault();
            load();
          }}
        >
          <Field label="Search the audit log">
            <input
              class={input}
              type="search"
              value={f.q}
              onInput={(e) => setF({ ...f, q: e.currentTarget.value })}
            />
          </Field>
          <Field label="Action">
            <select
              class={input}
              value={f.action}
              onChange={(e) => {
                const next = { ...f, action: e.currentTarget.value };
                setF(next);
                load(next);
              }}
            >
              <option value="">Any action</option>
              {data.actions.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </Field>
          <Field label="From">
            <input
              class={input}
              type="date"
              value={f.from}
              onInput={(e) => setF({ ...f, from: e.currentTarget.value })}
            />
          </Field>
          <Field label="Until">
            <input
              class={input}
              type="date"
              value={f.to}
              onInput={(e) => setF({ ...f, to: e.currentTarget.value })}
            />
          </Field>
          <button class={primary} type="submit">Filter</button>
          <a class={btn} href={`/api/admin/audit/export${qs(f)}`} download="audit-log.csv">Export CSV</a>
        </form>
      </Section>
      <StatusLine status={status} />
      <table class="w-full text-sm mb-3">
        <caption class="sr-only">Audit log, newest first ({data.total} entries)</caption>
        <thead>
          <tr>
            {["When", "Who", "Action", "Target", "Details", "From"].map((h) => (
              <th key={h} class={th} scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.entries.map((e) => (
            <tr key={e.id}>
              <td class={td}>{when(e.createdAt)}</td>
              <td class={td}>{e.actor ?? "—"}</td>
              <td class={td}>{e.action}</td>
              <td class={td}>{e.target}</td>
              <td class={`${td} break-all max-w-xs`}>
                {e.detail && JSON.stringify(e.detail) !== "{}" ? JSON.stringify(e.detail) : ""}
              </td>
              <td class={td}>{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="text-sm text-muted mb-2">Showing {data.entries.length} of {data.total}</p>
      {last && data.entries.length < data.total && (
        <button
          class={btn}
          type="button"
          onClick={() => load(f, last.id)}
        >
          Load older entries
        </button>
      )}
    </div>
  );
}
