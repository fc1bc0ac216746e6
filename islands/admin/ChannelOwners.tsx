/** Changing a channel's owners from the Channels tab: pick owners among its members, review, confirm. */
import { useEffect, useState } from "preact/hooks";
import { api, qs } from "./api.ts";
import { FilterForm, FilterInput } from "./filters.tsx";
import { btn, primary } from "./ui.tsx";

interface Member {
  id: number;
  username: string;
  displayName: string;
  role: string;
}

export function ChannelOwners(
  { channel, run, onClose }: {
    channel: { id: number; name: string };
    run: (what: () => Promise<string>) => Promise<void>;
    onClose: () => void;
  },
) {
  const [q, setQ] = useState("");
  const [members, setMembers] = useState<Member[] | null>(null);
  /** The owner choice per member id, where it differs from now. */
  const [picked, setPicked] = useState<Record<number, boolean>>({});
  const [reviewing, setReviewing] = useState(false);
  const load = (query = q) =>
    api<{ members: Member[] }>("GET", `/api/admin/channels/${channel.id}/members${qs({ q: query })}`)
      .then((r) => setMembers(r.members));
  useEffect(() => {
    load("").catch(() => setMembers([]));
  }, [channel.id]);
  const known = new Map((members ?? []).map((m) => [m.id, m]));
  const changes = Object.entries(picked).map(([id, owner]) => ({ m: known.get(Number(id))!, owner }))
    .filter((c) => c.m && (c.m.role === "owner") !== c.owner);
  const say = (c: { m: Member; owner: boolean }) =>
    c.owner ? `${c.m.displayName} becomes an owner` : `${c.m.displayName} is no longer an owner`;
  return (
    <section aria-label={`Owners of #${channel.name}`} class="rounded-lg border border-line p-4 mb-4">
      <h2 class="text-lg font-bold mb-2">Owners of #{channel.name}</h2>
      <FilterForm class="mb-2" onSearch={() => load()}>
        <FilterInput label="Find members" value={q} onValue={setQ} />
        <button class={btn} type="submit">Find</button>
      </FilterForm>
      {members === null ? <p class="text-sm">Loading members…</p> : (
        <fieldset class="mb-3">
          <legend class="text-sm font-semibold mb-1">Owners (members of #{channel.name})</legend>
          {members.length === 0 && <p class="text-sm">No members match</p>}
          {members.map((m) => (
            <label key={m.id} class="flex gap-2 items-center text-sm py-0.5">
              <input
                type="checkbox"
                checked={picked[m.id] ?? m.role === "owner"}
                onChange={(e) => {
                  setPicked({ ...picked, [m.id]: e.currentTarget.checked });
                  setReviewing(false);
                }}
              />
              {m.displayName} (@{m.username})
            </label>
          ))}
        </fieldset>
      )}
      {reviewing && changes.length > 0 && (
        <div role="group" aria-label="Confirm the owner change" class="rounded border border-line p-3 mb-3">
          <ul class="text-sm list-disc ml-5 mb-2">{changes.map((c) => <li key={c.m.id}>{say(c)}</li>)}</ul>
          <button
            class={primary}
            type="button"
            onClick={() =>
              run(async () => {
                for (const c of changes) {
                  await api("PUT", `/api/admin/channels/${channel.id}/owners/${c.m.id}`, { owner: c.owner });
                }
                onClose();
                return `Owners of #${channel.name} changed: ${changes.map(say).join("; ")}`;
              })}
          >
            Confirm owner change
          </button>
        </div>
      )}
      <div class="flex gap-2">
        <button class={btn} type="button" disabled={changes.length === 0} onClick={() => setReviewing(true)}>
          Review owner change
        </button>
        <button class={btn} type="button" onClick={onClose}>Cancel</button>
      </div>
    </section>
  );
}
