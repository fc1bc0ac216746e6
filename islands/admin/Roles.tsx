/** Roles and permissions: the seed's permission list, which built-in role holds which, and how many people hold each role. */
import { td, th } from "./ui.tsx";

export interface RolesData {
  permissions: string[];
  roles: { id: string; permissions: string[]; people: number }[];
}

export function Roles({ data }: { data: RolesData }) {
  return (
    <div>
      <p class="text-sm text-muted mb-3">
        Built-in roles and their permissions. Rank runs admin → moderator → member → guest: nobody changes
        someone of equal or higher rank. Custom roles are not available yet.
      </p>
      <table class="text-sm mb-3">
        <caption class="sr-only">Permissions of each role</caption>
        <thead>
          <tr>
            <th class={th} scope="col">Permission</th>
            {data.roles.map((r) => (
              <th key={r.id} class={th} scope="col">
                {r.id} ({r.people} {r.people === 1 ? "person" : "people"})
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.permissions.map((p) => (
            <tr key={p}>
              <th class={`${td} font-mono font-normal text-left`} scope="row">{p}</th>
              {data.roles.map((r) => (
                <td key={r.id} class={`${td} text-center`}>
                  {r.permissions.includes(p)
                    ? (
                      <>
                        <span aria-hidden="true">✓</span>
                        <span class="sr-only">yes</span>
                      </>
                    )
                    : (
                      <>
                        <span aria-hidden="true">—</span>
                        <span class="sr-only">no</span>
                      </>
                    )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
