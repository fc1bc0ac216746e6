/**
 * Monitor: read any conversation (read-only), filtered by channel, person, date and text; "Live" watches
 * over the WebSocket (`monitor_live.ts`), so new messages, edits and deletions appear as they happen. Each
 * view and each live watch is audited on the server. Export streams the filtered messages
 * as CSV or JSON with a progress bar (rows received of `x-total-count`).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, qs, when } from "./api.ts";
import { btn, primary, Section, StatusLine } from "./ui.tsx";
import { AdminTable, LoadMore } from "./table.tsx";
import { watchLive } from "./monitor_live.ts";
import { FilterChoice, FilterForm, FilterInput } from "./filters.tsx";

interface Row {
  id: number;
  channel: string;
  kind: string;
  sender: string | null;
  body: string;
  createdAt: string;
}
export interface MonitorData {
  channels: { id: number; name: string }[];
  people: { id: number; displayName: string }[];
}
type Page = { messages: Row[]; total: number };

const where = (r: Row) => r.kind.endsWith("_channel") ? `#${r.channel}` : `${r.channel || "Direct message"}`;

export function Monitor({ initial }: { initial: MonitorData }) {
  const [f, setF] = useState({ channelId: "", userId: "", from: "", to: "", q: "" });
  const [data, setData] = useState<Page | null>(null);
  const [live, setLive] = useState(false);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  /** The newest message id shown: live reads ask for what came after it. */
  const latest = useRef(0);
  const show = async (before?: number) => {
    try {
      const r = await api<Page>("GET", `/api/admin/monitor${qs({ ...f, before })}`);
      if (!before) latest.current = r.messages[0]?.id ?? 0;
      setData(before && data ? { ...r, messages: [...data.messages, ...r.messages] } : r);
      setStatus({ text: `${r.total} messages match (this view is recorded in the audit log)` });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };
  // Live: a read-only watch over the WebSocket; new messages are read through the same filters (not a new
  // view, so not audited again: the watch itself was), edits and deletions apply to the rows shown.
  const shown = data !== null;
  useEffect(() => {
    if (!live || !shown) return;
    const newer = async () => {
      const after = latest.current;
      const r = await api<Page>("GET", `/api/admin/monitor${qs({ ...f, after })}`).catch(() => null);
      if (!r?.messages.length) return;
      latest.current = Math.max(latest.current, ...r.messages.map((m) => m.id));
      setData((d) => {
        const have = new Set(d?.messages.map((m) => m.id));
        const fresh = r.messages.filter((m) => !have.has(m.id)).reverse();
        return { total: (d?.total ?? 0) + fresh.length, messages: [...fresh, ...(d?.messages ?? [])] };
      });
    };
    return watchLive(Number(f.channelId) || 0, {
      event(e) {
        if (e.type === "message_received") void newer();
        else if (e.type === "message_updated") {
          setData((d) =>
            d && {
              ...d,
              messages: d.messages.map((m) => m.id === e.message.id ? { ...m, body: e.message.body } : m),
            }
          );
        } else {
          setData((d) =>
            d && d.messages.some((m) => m.id === e.messageId)
              ? { total: d.total - 1, messages: d.messages.filter((m) => m.id !== e.messageId) }
              : d
          );
        }
      },
      watching: () => {
        setStatus({ text: "Live: new messages appear as they are sent (this watch is in the audit log)" });
        void newer();
      },
      stopped: (message) => {
        setLive(false);
        setStatus({ text: `Live view stopped: ${message}`, error: true });
      },
    });
  }, [live, shown, f.channelId]);

  const exportAs = async (format: "csv" | "json") => {
    try {
      const res = await fetch(`/api/admin/monitor/export${qs({ ...f, format })}`, {
        credentials: "same-origin",
      });
      if (!res.ok || !res.body) throw new Error((await res.json()).error?.message ?? res.statusText);
      const total = Number(res.headers.get("x-total-count") ?? 0);
      const parts: BlobPart[] = [];
      let done = 0;
      const reader = res.body.getReader();
      const nl = format === "csv" ? 13 : 10; // rows end in \r\n (CSV) or start after \n (JSON)
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        parts.push(value);
        for (const b of value) if (b === nl) done++;
        setProgress({ done: Math.min(done, total), total });
      }
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob(parts, { type: res.headers.get("content-type") ?? "" }));
      a.download = `parley-messages.${format}`;
      a.click();
      setStatus({ text: `Exported ${total} messages as ${format.toUpperCase()}` });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };

  return (
    <div>
      <Section title="Filter conversations">
        <FilterForm onSearch={show}>
          <FilterChoice
            label="Conversation"
            value={f.channelId}
            onValue={(channelId) => setF({ ...f, channelId })}
            options={[
              ["", "Every conversation"],
              ...initial.channels.map((c): [number, string] => [c.id, `#${c.name}`]),
            ]}
          />
          <FilterChoice
            label="Person"
            value={f.userId}
            onValue={(userId) => setF({ ...f, userId })}
            options={[["", "Anyone"], ...initial.people.map((p): [number, string] => [p.id, p.displayName])]}
          />
          <FilterInput label="From" type="date" value={f.from} onValue={(from) => setF({ ...f, from })} />
          <FilterInput label="Until" type="date" value={f.to} onValue={(to) => setF({ ...f, to })} />
          <FilterInput label="Text" value={f.q} onValue={(q) => setF({ ...f, q })} />
          <button class={primary} type="submit">Show messages</button>
          <label class="flex gap-2 items-center text-sm">
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
            Live
          </label>
        </FilterForm>
      </Section>
      <Section title="Export">
        <div class="flex gap-2 flex-wrap items-center">
          <button class={btn} type="button" onClick={() => exportAs("csv")}>Export CSV</button>
          <button class={btn} type="button" onClick={() => exportAs("json")}>Export JSON</button>
          {progress && (
            <progress
              aria-label="Export progress"
              max={Math.max(1, progress.total)}
              value={progress.done}
            />
          )}
          {progress && <span class="text-sm">{progress.done} of {progress.total} messages</span>}
        </div>
      </Section>
      <StatusLine status={status} />
      {data && (
        <>
          <AdminTable
            caption="Messages, newest first"
            rows={data.messages}
            rowKey={(r) => r.id}
            columns={[
              { header: "When", cell: (r) => when(r.createdAt) },
              { header: "Conversation", cell: where },
              { header: "From", cell: (r) => r.sender ?? "—" },
              { header: "Message", cell: (r) => r.body, class: "whitespace-pre-wrap break-words max-w-md" },
            ]}
          />
          <LoadMore
            shown={data.messages.length}
            total={data.total}
            label="Load older messages"
            onMore={() => show(data.messages[data.messages.length - 1]?.id)}
          />
        </>
      )}
    </div>
  );
}
