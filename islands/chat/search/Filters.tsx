/**
 * Filter controls of the results view. Each one edits its word in the query (`from:@bob`, `has:file`,
 * `after:2026-01-31`), so what the controls show and what the box says never disagree.
 */
import { useApp } from "../state.ts";

const get = (q: string, key: string) => new RegExp(`(?:^|\\s)${key}:(\\S+)`).exec(q)?.[1] ?? "";
function put(q: string, key: string, value: string) {
  const rest = q.replace(new RegExp(`(?:^|\\s)${key}:\\S+`, "g"), "").trim();
  return value ? `${rest} ${key}:${value}`.trim() : rest;
}
const hasFlag = (q: string, v: string) => new RegExp(`(?:^|\\s)has:${v}(?:\\s|$)`).test(q);
function toggle(q: string, v: string, on: boolean) {
  const rest = q.replace(new RegExp(`(?:^|\\s)has:${v}(?=\\s|$)`, "g"), "").trim();
  return on ? `${rest} has:${v}`.trim() : rest;
}

export function Filters({ q, setQ }: { q: string; setQ: (q: string) => void }) {
  const { client } = useApp();
  const people = Object.values(client.users.value).sort((a, b) => a.displayName.localeCompare(b.displayName));
  const chans = client.channels.value.filter((c) =>
    c.kind === "public_channel" || c.kind === "private_channel"
  );
  const cls = "rounded border border-line bg-input text-fg px-1.5 py-1 text-xs";
  return (
    <fieldset class="flex flex-wrap items-center gap-2 mb-3 text-xs">
      <legend class="sr-only">Filters</legend>
      <label class="flex items-center gap-1">
        From
        <select
          class={cls}
          value={get(q, "from").replace(/^@/, "")}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            setQ(put(q, "from", v ? `@${v}` : ""));
          }}
        >
          <option value="">anyone</option>
          {people.map((u) => <option key={u.id} value={u.username}>{u.displayName}</option>)}
        </select>
      </label>
      <label class="flex items-center gap-1">
        In
        <select
          class={cls}
          value={get(q, "in").replace(/^#/, "")}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            setQ(put(q, "in", v ? `#${v}` : ""));
          }}
        >
          <option value="">anywhere</option>
          {chans.map((c) => <option key={c.id} value={c.name}>#{c.name}</option>)}
        </select>
      </label>
      <label class="flex items-center gap-1">
        <input
          type="checkbox"
          checked={hasFlag(q, "file")}
          onChange={(e) => setQ(toggle(q, "file", (e.target as HTMLInputElement).checked))}
        />
        Has file
      </label>
      <label class="flex items-center gap-1">
        <input
          type="checkbox"
          checked={hasFlag(q, "link")}
          onChange={(e) => setQ(toggle(q, "link", (e.target as HTMLInputElement).checked))}
        />
        Has link
      </label>
      <label class="flex items-center gap-1">
        After
        <input
          type="date"
          class={cls}
          value={get(q, "after")}
          onChange={(e) => setQ(put(q, "after", (e.target as HTMLInputElement).value))}
        />
      </label>
      <label class="flex items-center gap-1">
        Before
        <input
          type="date"
          class={cls}
          value={get(q, "before")}
          onChange={(e) => setQ(put(q, "before", (e.target as HTMLInputElement).value))}
        />
      </label>
    </fieldset>
  );
}
