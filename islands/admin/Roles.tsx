/**
 * Roles: the seed's permission list, the built-in roles, custom roles made from the permissions (create,
 * rename, edit, delete once nobody holds them), and who holds which (give a role to a person, take it back).
 */
import { useState } from "preact/hooks";
import { api, qs } from "./api.ts";
import { btn, danger, Field, input, Section, StatusLine, td, th } from "./ui.tsx";
import { type RoleDraft, RoleForm } from "./RoleForm.tsx";

interface Holder {
  id: number;
  username: string;
  displayName: string;
}
interface CustomRole extends RoleDraft {
  id: number;
  holders: number;
  people: Holder[];
}
export interface RolesData {
  permissions: string[];
  roles: { id: string; permissions: string[]; people: number }[];
  custom: CustomRole[];
  mine: { rank: string; permissions: string[] };
}

const plural = (n: number) => `${n} ${n === 1 ? "person" : "people"}`;

export function Roles({ data: initial }: { data: RolesData }) {
  const [data, setData] = useState(initial);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const [editing, setEditing] = useState<CustomRole | null>(null);
  const [formKey, setFormKey] = useState(0);
  const run = async (what: () => Promise<string>) => {
    try {
      const text = await what();
      setData(await api<RolesData>("GET", "/api/admin/roles"));
      setStatus({ text });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };
  const columns = [
    ...data.roles.map((r) => ({
      key: r.id,
      label: `${r.id} (${plural(r.people)})`,
      permissions: r.permissions,
    })),
    ...data.custom.map((r) => ({
      key: `c${r.id}`,
      label: `${r.name} (${plural(r.holders)})`,
      permissions: r.permissions,
    })),
  ];
  return (
    <div>
      <p class="text-sm text-muted mb-3">
        Rank runs admin → moderator → member → guest: nobody acts on someone of equal or higher rank. A custom
        role ranks like the built-in role you choose (below admin) and its permissions replace that role's.
      </p>
      <StatusLine status={status} />
      {editing
        ? (
          <RoleForm
            key={`e${editing.id}`}
            title={`Edit role ${editing.name}`}
            initial={editing}
            permissions={data.permissions}
            mine={data.mine}
            onCancel={() => setEditing(null)}
            onSave={(d) =>
              run(async () => {
                await api("PATCH", `/api/admin/roles/${editing.id}`, d);
                setEditing(null);
                return `Role ${d.name} was saved`;
              })}
          />
        )
        : (
          <RoleForm
            key={`n${formKey}`}
            title="Create a role"
            initial={{
              name: "",
              rank: data.mine.rank === "member" ? "guest" : "member",
              permissions: [],
            }}
            permissions={data.permissions}
            mine={data.mine}
            onSave={(d) =>
              run(async () => {
                await api("POST", "/api/admin/roles", d);
                setFormKey(formKey + 1);
                return `Role ${d.name} was created`;
              })}
          />
        )}
      <Section title="Custom roles">
        {data.custom.length === 0 && <p class="text-sm text-muted">No custom roles yet.</p>}
        <ul class="flex flex-col gap-3">
          {data.custom.map((r) => <CustomRoleItem key={r.id} r={r} run={run} onEdit={setEditing} />)}
        </ul>
      </Section>
      <table class="text-sm mb-3">
        <caption class="text-left font-bold text-lg mb-2">Permissions of each role</caption>
        <thead>
          <tr>
            <th class={th} scope="col">Permission</th>
            {columns.map((c) => <th key={c.key} class={th} scope="col">{c.label}</th>)}
          </tr>
        </thead>
        <tbody>
          {data.permissions.map((p) => (
            <tr key={p}>
              <th class={`${td} font-mono font-normal text-left`} scope="row">{p}</th>
              {columns.map((c) => (
                <td key={c.key} class={`${td} text-center`}>
                  <span aria-hidden="true">{c.permissions.includes(p) ? "✓" : "—"}</span>
                  <span class="sr-only">{c.permissions.includes(p) ? "yes" : "no"}</span>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CustomRoleItem(
  { r, run, onEdit }: {
    r: CustomRole;
    run: (what: () => Promise<string>) => Promise<void>;
    onEdit: (r: CustomRole) => void;
  },
) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Holder[] | null>(null);
  return (
    <li class="rounded border border-line p-3">
      <h3 class="font-bold">{r.name}</h3>
      <p class="text-sm text-muted mb-2">
        Ranks like {r.rank} · {r.permissions.length} permissions · held by {plural(r.holders)}
      </p>
      <div class="flex gap-2 flex-wrap mb-2">
        <button class={btn} type="button" onClick={() => onEdit(r)}>Edit {r.name}</button>
        <button
          class={danger}
          type="button"
          onClick={() =>
            confirm(`Delete the role ${r.name}?`) && run(async () => {
              await api("DELETE", `/api/admin/roles/${r.id}`);
              return `Role ${r.name} was deleted`;
            })}
        >
          Delete {r.name}
        </button>
      </div>
      <ul aria-label={`Holders of ${r.name}`} class="text-sm mb-2">
        {r.people.map((p) => (
          <li key={p.id} class="flex gap-2 items-center py-0.5">
            {p.displayName} (@{p.username})
            <button
              class={btn}
              type="button"
              onClick={() =>
                run(async () => {
                  await api("DELETE", `/api/admin/roles/${r.id}/holders/${p.id}`);
                  return `${p.displayName} no longer holds ${r.name}; they are a ${r.rank}`;
                })}
            >
              Take {r.name} from {p.displayName}
            </button>
          </li>
        ))}
      </ul>
      <form
        role="search"
        aria-label={`Give ${r.name} to someone`}
        class="flex gap-2 items-end flex-wrap"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const res = await api<{ people: Holder[] }>("GET", `/api/admin/people${qs({ q, limit: 8 })}`);
            setFound(res.people.filter((p) => !r.people.some((h) => h.id === p.id)));
          } catch (err) {
            setFound([]);
            run(() => Promise.reject(err));
          }
        }}
      >
        <Field label={`Find a person for ${r.name}`}>
          <input class={input} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </Field>
        <button class={btn} type="submit">Find</button>
      </form>
      {found && (
        <ul aria-label={`People found for ${r.name}`} class="text-sm mt-2">
          {found.length === 0 && <li>Nobody found</li>}
          {found.map((p) => (
            <li key={p.id} class="py-0.5">
              <button
                class={btn}
                type="button"
                onClick={() =>
                  run(async () => {
                    await api("PUT", `/api/admin/roles/${r.id}/holders/${p.id}`);
                    setFound(null);
                    setQ("");
                    return `${p.displayName} now holds ${r.name}`;
                  })}
              >
                Give {r.name} to {p.displayName}
              </button>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
