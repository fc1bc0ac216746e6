/** The audit log: search, filter by action and date, load older entries, export the filtered log as CSV. */
import { useState } from "preact/hooks";
import { api, qs, when } from "./api.ts";
import { btn, primary, Section, StatusLine } from "./ui.tsx";
import { AdminTable, LoadMore } from "./table.tsx";
import { FilterChoice, FilterForm, FilterInput, type Status } from "./filters.tsx";

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
  const [status, setStatus] = useState<Status>(null);
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
        <FilterForm onSearch={() => load()}>
          <FilterInput label="Search the audit log" value={f.q} onValue={(q) => setF({ ...f, q })} />
          <FilterChoice
            label="Action"
            value={f.action}
            onValue={(action) => {
              const next = { ...f, action };
              setF(next);
              load(next);
            }}
            options={[["", "Any action"], ...data.actions.map((a): [string, string] => [a, a])]}
          />
          <FilterInput label="From" type="date" value={f.from} onValue={(from) => setF({ ...f, from })} />
          <FilterInput label="Until" type="date" value={f.to} onValue={(to) => setF({ ...f, to })} />
          <button class={primary} type="submit">Filter</button>
          <a class={btn} href={`/api/admin/audit/export${qs(f)}`} download="audit-log.csv">Export CSV</a>
        </FilterForm>
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
