/** The audit log: search, filter by action and date, load older entries, export the filtered log as CSV. */
import { useState } from "preact/hooks";
import { api, qs, when } from "./api.ts";
import { btn, Field, input, primary, Section, StatusLine } from "./ui.tsx";
import { AdminTable, LoadMore } from "./table.tsx";

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
      <AdminTable
        caption={`Audit log, newest first (${data.total} entries)`}
        rows={data.entries}
        rowKey={(e) => e.id}
        columns={[
          { header: "When", cell: (e) => when(e.createdAt) },
          { header: "Who", cell: (e) => e.actor ?? "—" },
          { header: "Action", cell: (e) => e.action },
          { header: "Target", cell: (e) => e.target },
          {
            header: "Details",
            class: "break-all max-w-xs",
            cell: (e) => e.detail && JSON.stringify(e.detail) !== "{}" ? JSON.stringify(e.detail) : "",
          },
          { header: "From", cell: (e) => e.ip },
        ]}
      />
      <LoadMore
        shown={data.entries.length}
        total={data.total}
        label="Load older entries"
        onMore={() => last && load(f, last.id)}
      />
    </div>
  );
}
