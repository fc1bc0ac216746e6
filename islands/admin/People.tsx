/** People: search, filters and counts paged on the server; create + invite; per-person actions. */
import { useState } from "preact/hooks";
import { api, when } from "./api.ts";
import { btn, danger, Field, input, primary, Section, StatusLine } from "./ui.tsx";
import { AdminTable, Pager } from "./table.tsx";
import { FilterChoice, FilterForm, FilterInput, usePagedList } from "./filters.tsx";

interface Person {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  role: string;
  /** A custom role's name; `role` is then its rank. */
  customRole: string | null;
  deactivatedAt: string | null;
  tabs: number;
}
export interface PeopleData {
  people: Person[];
  counts: { matching: number; total: number; active: number; deactivated: number; online: number };
  page: number;
  pages: number;
}
interface Tab {
  id: string;
  page: string;
  since: string;
  instance: string;
}
const ROLES = ["admin", "moderator", "member", "guest"];

export function People({ initial }: { initial: PeopleData }) {
  const { data, f, setF, status, fail, load, run, setFilter } = usePagedList("/api/admin/people", initial, {
    q: "",
    role: "",
    state: "",
    online: "",
  });
  const [open, setOpen] = useState<number | null>(null);
  const c = data.counts;
  return (
    <div>
      <Section title="Find people">
        <FilterForm onSearch={() => load(1).catch(fail)}>
          <FilterInput label="Search people" value={f.q} onValue={(q) => setF({ ...f, q })} />
          <FilterChoice
            label="Role"
            value={f.role}
            onValue={(v) => setFilter("role", v)}
            options={[["", "Any role"], ...ROLES.map((r): [string, string] => [r, r])]}
          />
          <FilterChoice
            label="State"
            value={f.state}
            onValue={(v) => setFilter("state", v)}
            options={[["", "Active and deactivated"], ["active", "Active"], ["deactivated", "Deactivated"]]}
          />
          <FilterChoice
            label="Online"
            value={f.online}
            onValue={(v) => setFilter("online", v)}
            options={[["", "Online or not"], ["yes", "Online now"], ["no", "Offline"]]}
          />
          <button class={primary} type="submit">Search</button>
        </FilterForm>
        <p class="text-sm text-muted mt-3" aria-live="polite">
          {c.matching} matching · {c.total} people · {c.active} active · {c.deactivated} deactivated ·{" "}
          {c.online} online
        </p>
      </Section>
      <StatusLine status={status} />
      <AdminTable
        caption={`People, page ${data.page} of ${data.pages}`}
        rows={data.people}
        rowKey={(p) => p.id}
        columns={[
          { header: "Name", cell: (p) => p.displayName },
          { header: "Username", cell: (p) => `@${p.username}` },
          { header: "Role", cell: (p) => p.customRole ? `${p.customRole} (${p.role} rank)` : p.role },
          { header: "State", cell: (p) => p.deactivatedAt ? "Deactivated" : "Active" },
          { header: "Open tabs", cell: (p) => p.tabs },
          {
            header: "Actions",
            cell: (p) => (
              <button
                class={btn}
                type="button"
                aria-expanded={open === p.id}
                onClick={() => setOpen(open === p.id ? null : p.id)}
              >
                Manage {p.displayName}
              </button>
            ),
          },
        ]}
        detail={(p) => open === p.id ? <Manage person={p} run={run} /> : null}
      />
      <Pager page={data.page} pages={data.pages} onPage={(p) => run(() => load(p).then(() => `Page ${p}`))} />
      <Create run={run} />
    </div>
  );
}

function Manage({ person: p, run }: { person: Person; run: (f: () => Promise<string>) => Promise<void> }) {
  const [role, setRole] = useState(p.role);
  const [reason, setReason] = useState("");
  const [link, setLink] = useState<string | null>(null);
  const [tabs, setTabs] = useState<Tab[] | null>(null);
  const base = `/api/admin/people/${p.id}`;
  return (
    <section aria-label={`Manage ${p.displayName}`} class="flex flex-col gap-3 p-2">
      <div class="flex flex-wrap gap-2 items-end">
        <Field label="New role">
          <select class={input} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <button
          class={btn}
          type="button"
          onClick={() =>
            run(async () => {
              await api("PUT", `${base}/role`, { role });
              return `${p.displayName} is now ${role}`;
            })}
        >
          Change role
        </button>
      </div>
      <div class="flex flex-wrap gap-2 items-end">
        <Field label="Reason">
          <input
            class={input}
            value={reason}
            maxLength={500}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </Field>
        {p.deactivatedAt
          ? (
            <button
              class={btn}
              type="button"
              onClick={() =>
                run(async () => {
                  await api("POST", `${base}/reactivate`, { reason });
                  return `${p.displayName} was reactivated`;
                })}
            >
              Reactivate
            </button>
          )
          : (
            <button
              class={danger}
              type="button"
              onClick={() =>
                run(async () => {
                  await api("POST", `${base}/deactivate`, { reason });
                  return `${p.displayName} was deactivated`;
                })}
            >
              Deactivate
            </button>
          )}
      </div>
      <div class="flex flex-wrap gap-2">
        <button
          class={btn}
          type="button"
          onClick={() =>
            run(async () => {
              const r = await api<{ link: string; emailed: boolean }>("POST", `${base}/password-reset`);
              setLink(location.origin + r.link);
              return `Password reset link made for ${p.displayName}${
                r.emailed ? " and emailed to them" : ""
              }`;
            })}
        >
          Reset password
        </button>
        <button
          class={btn}
          type="button"
          onClick={() =>
            run(async () => {
              await api("POST", `${base}/sign-out`);
              return `${p.displayName} was signed out everywhere`;
            })}
        >
          Sign out everywhere
        </button>
        <button
          class={btn}
          type="button"
          onClick={() =>
            run(async () => {
              const r = await api<{ tabs: Tab[] }>("GET", `${base}/tabs`);
              setTabs(r.tabs);
              return `${r.tabs.length} open tabs`;
            })}
        >
          Show open tabs
        </button>
      </div>
      {link && (
        <Field label="One-time link (valid 7 days)">
          <input class={input} readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
        </Field>
      )}
      {tabs && (
        <ul class="text-sm list-disc pl-5" aria-label={`Open tabs of ${p.displayName}`}>
          {tabs.length === 0 && <li>No open tabs</li>}
          {tabs.map((t) => (
            <li key={t.id}>{t.page || "(unknown page)"} · since {when(t.since)} · {t.instance}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Create({ run }: { run: (f: () => Promise<string>) => Promise<void> }) {
  const [v, setV] = useState({ username: "", displayName: "", email: "", role: "member" });
  const [link, setLink] = useState<string | null>(null);
  return (
    <Section title="Create a person">
      <form
        class="flex flex-wrap gap-3 items-end"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            const r = await api<{ link: string; emailed: boolean }>("POST", "/api/admin/people", {
              username: v.username,
              displayName: v.displayName,
              role: v.role,
              ...(v.email ? { email: v.email } : {}),
            });
            setLink(location.origin + r.link);
            setV({ username: "", displayName: "", email: "", role: "member" });
            return r.emailed
              ? `Created @${v.username}; the invitation link was emailed to them`
              : `Created @${v.username}; send them the invitation link`;
          });
        }}
      >
        <Field label="Username">
          <input
            class={input}
            required
            value={v.username}
            onInput={(e) => setV({ ...v, username: e.currentTarget.value })}
          />
        </Field>
        <Field label="Display name">
          <input
            class={input}
            required
            value={v.displayName}
            onInput={(e) => setV({ ...v, displayName: e.currentTarget.value })}
          />
        </Field>
        <Field label="Email (optional)">
          <input
            class={input}
            type="email"
            value={v.email}
            onInput={(e) => setV({ ...v, email: e.currentTarget.value })}
          />
        </Field>
        <Field label="Role of the new person">
          <select class={input} value={v.role} onChange={(e) => setV({ ...v, role: e.currentTarget.value })}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <button class={primary} type="submit">Create and invite</button>
      </form>
      {link && (
        <div class="mt-3">
          <Field label="Invitation link (one-time, valid 7 days)">
            <input class={input} readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
          </Field>
        </div>
      )}
    </Section>
  );
}
