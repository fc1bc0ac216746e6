/** The form that creates or edits a custom role: name, rank, and a checkbox per permission. */
import { useState } from "preact/hooks";
import { btn, Field, input, primary } from "./ui.tsx";

export interface RoleDraft {
  name: string;
  rank: "moderator" | "member" | "guest";
  permissions: string[];
}

const RANK_ORDER = ["guest", "member", "moderator", "admin"];

export function RoleForm(
  { title, initial, permissions, mine, onSave, onCancel }: {
    title: string;
    initial: RoleDraft;
    permissions: string[];
    /** The actor's rank and permissions: what they may not grant is shown disabled (the server checks too). */
    mine: { rank: string; permissions: string[] };
    onSave: (d: RoleDraft) => Promise<void>;
    onCancel?: () => void;
  },
) {
  const [d, setD] = useState(initial);
  const ranks = (["moderator", "member", "guest"] as const).filter((r) =>
    RANK_ORDER.indexOf(r) < RANK_ORDER.indexOf(mine.rank)
  );
  const toggle = (p: string, on: boolean) =>
    setD({ ...d, permissions: on ? [...d.permissions, p] : d.permissions.filter((x) => x !== p) });
  return (
    <form
      aria-label={title}
      class="rounded-lg border border-line p-4 mb-4"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ name: d.name, rank: d.rank, permissions: d.permissions });
      }}
    >
      <h2 class="text-lg font-bold mb-3">{title}</h2>
      <div class="flex flex-wrap gap-3 items-end mb-3">
        <Field label="Role name">
          <input
            class={input}
            required
            maxLength={40}
            value={d.name}
            onInput={(e) => setD({ ...d, name: e.currentTarget.value })}
          />
        </Field>
        <Field label="Rank" hint="Holders rank like this built-in role (who may act on whom)">
          <select
            class={input}
            value={d.rank}
            onChange={(e) => setD({ ...d, rank: e.currentTarget.value as RoleDraft["rank"] })}
          >
            {ranks.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
      </div>
      <fieldset class="mb-3">
        <legend class="font-semibold text-sm mb-1">Permissions</legend>
        <p class="text-xs text-muted mb-2">
          They replace the rank's built-in permissions. You can grant only permissions you hold.
        </p>
        <div class="grid gap-1" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(16rem, 1fr))" }}>
          {permissions.map((p) => (
            <label key={p} class="flex gap-2 items-center text-sm font-mono">
              <input
                type="checkbox"
                checked={d.permissions.includes(p)}
                disabled={!mine.permissions.includes(p)}
                onChange={(e) => toggle(p, e.currentTarget.checked)}
              />
              {p}
            </label>
          ))}
        </div>
      </fieldset>
      <div class="flex gap-2">
        <button class={primary} type="submit">Save role</button>
        {onCancel && <button class={btn} type="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
