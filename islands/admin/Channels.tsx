/**
 * Channels: every public and private channel, paged on the server; archive, unarchive, delete with
 * confirmation, change owners (`ChannelOwners.tsx`).
 */
import { useState } from "preact/hooks";
import { api, when } from "./api.ts";
import { btn, danger, Field, input, primary, Section, StatusLine } from "./ui.tsx";
import { AdminTable, Pager } from "./table.tsx";
import { ChannelOwners } from "./ChannelOwners.tsx";
import { FilterChoice, FilterForm, FilterInput, usePagedList } from "./filters.tsx";

interface Row {
  id: number;
  kind: string;
  name: string;
  archivedAt: string | null;
  legalHold: boolean;
  lastMessageAt: string | null;
  members: number;
  messages: number;
  owners: { id: number; displayName: string }[];
}
export interface ChannelsData {
  channels: Row[];
  total: number;
  page: number;
  pages: number;
}

export function Channels({ initial }: { initial: ChannelsData }) {
  const { data, f, setF, status, run, load, setFilter } = usePagedList("/api/admin/channels", initial, {
    q: "",
    kind: "",
    state: "",
  });
  const [confirming, setConfirming] = useState<Row | null>(null);
  const [owners, setOwners] = useState<Row | null>(null);
  const [typed, setTyped] = useState("");
  return (
    <div>
      <Section title="Find channels">
        <FilterForm
          onSearch={() =>
            run(async () => {
              await load(1);
              return "Updated";
            })}
        >
          <FilterInput label="Search channels" value={f.q} onValue={(q) => setF({ ...f, q })} />
          <FilterChoice
            label="Kind"
            value={f.kind}
            onValue={(v) => setFilter("kind", v)}
            options={[["", "Public and private"], ["public_channel", "Public"], [
              "private_channel",
              "Private",
            ]]}
          />
          <FilterChoice
            label="Archived"
            value={f.state}
            onValue={(v) => setFilter("state", v)}
            options={[["", "Active and archived"], ["active", "Active"], ["archived", "Archived"]]}
          />
          <button class={primary} type="submit">Search</button>
        </FilterForm>
        <p class="text-sm text-muted mt-3">{data.total} channels</p>
      </Section>
      <StatusLine status={status} />
      {confirming && (
        <section
          aria-label={`Delete #${confirming.name}`}
          class="rounded-lg border border-line p-4 mb-4 bg-danger-bg"
        >
          <p class="text-sm mb-2">
            Deleting #{confirming.name} removes its {confirming.messages}{" "}
            messages for everyone. This cannot be undone.
          </p>
          <form
            class="flex flex-wrap gap-2 items-end"
            onSubmit={(e) => {
              e.preventDefault();
              const c = confirming;
              run(async () => {
                await api("POST", `/api/admin/channels/${c.id}/delete`, { confirm: typed });
                setConfirming(null);
                setTyped("");
                return `#${c.name} was deleted`;
              });
            }}
          >
            <Field label="Type the channel name to confirm">
              <input class={input} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
            </Field>
            <button class={danger} type="submit" disabled={typed.replace(/^#/, "") !== confirming.name}>
              Delete channel
            </button>
            <button class={btn} type="button" onClick={() => setConfirming(null)}>Cancel</button>
          </form>
        </section>
      )}
      {owners && <ChannelOwners key={owners.id} channel={owners} run={run} onClose={() => setOwners(null)} />}
      <AdminTable
        caption={`Channels, page ${data.page} of ${data.pages}`}
        rows={data.channels}
        rowKey={(c) => c.id}
        columns={[
          { header: "Name", cell: (c) => `#${c.name}${c.archivedAt ? " (archived)" : ""}` },
          { header: "Kind", cell: (c) => c.kind === "private_channel" ? "Private" : "Public" },
          { header: "Members", cell: (c) => c.members },
          { header: "Messages", cell: (c) => c.messages },
          { header: "Last activity", cell: (c) => when(c.lastMessageAt) },
          { header: "Legal hold", cell: (c) => c.legalHold ? "On hold" : "—" },
          { header: "Owners", cell: (c) => c.owners.map((o) => o.displayName).join(", ") || "—" },
          {
            header: "Actions",
            cell: (c) => <RowActions c={c} run={run} onDelete={setConfirming} onOwners={setOwners} />,
          },
        ]}
      />
      <Pager page={data.page} pages={data.pages} onPage={(p) => run(() => load(p).then(() => `Page ${p}`))} />
    </div>
  );
}

function RowActions(
  { c, run, onDelete, onOwners }: {
    c: Row;
    run: (what: () => Promise<string>) => Promise<void>;
    onDelete: (c: Row) => void;
    onOwners: (c: Row) => void;
  },
) {
  const flip = c.archivedAt ? "unarchive" : "archive";
  return (
    <div class="flex gap-2 flex-wrap">
      <button
        class={btn}
        type="button"
        onClick={() =>
          run(async () => {
            await api("POST", `/api/admin/channels/${c.id}/${flip}`);
            return `#${c.name} was ${flip}d`;
          })}
      >
        {c.archivedAt ? "Unarchive" : "Archive"} #{c.name}
      </button>
      <button
        class={btn}
        type="button"
        aria-pressed={c.legalHold}
        onClick={() =>
          run(async () => {
            await api("PUT", `/api/admin/channels/${c.id}/legal-hold`, { on: !c.legalHold });
            return c.legalHold ? `#${c.name} is no longer on legal hold` : `#${c.name} is on legal hold`;
          })}
      >
        Legal hold #{c.name}
      </button>
      <button class={btn} type="button" onClick={() => onOwners(c)}>Owners of #{c.name}</button>
      <button class={danger} type="button" onClick={() => onDelete(c)}>Delete #{c.name}</button>
    </div>
  );
}
