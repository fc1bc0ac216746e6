/**
 * Monitor: read any conversation (read-only), filtered by channel, person, date and text; "Live" polls for
 * newer messages every 5 seconds. Each view is audited on the server. Export streams the filtered messages
 * as CSV or JSON with a progress bar (rows received of `x-total-count`).
 */
import { useEffect, useState } from "preact/hooks";
import { api, qs, when } from "./api.ts";
import { btn, Field, input, primary, Section, StatusLine } from "./ui.tsx";
import { AdminTable, LoadMore } from "./table.tsx";

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
  const show = async (before?: number) => {
    try {
      const r = await api<Page>("GET", `/api/admin/monitor${qs({ ...f, before })}`);
      setData(before && data ? { ...r, messages: [...data.messages, ...r.messages] } : r);
      setStatus({ text: `${r.total} messages match (this view is recorded in the audit log)` });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };
  useEffect(() => {
    if (!live || !data) return;
    const id = setInterval(async () => {
      const after = data.messages[0]?.id ?? 0;
      const r = await api<Page>("GET", `/api/admin/monitor${qs({ ...f, after })}`).catch(() => null);
      if (r?.messages.length) {
        setData({ total: r.total, messages: [...r.messages.reverse(), ...data.messages] });
      }
    }, 5000);
    return () => clearInterval(id);
  }, [live, data]);

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

  const set = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) =>
    setF({ ...f, [k]: e.currentTarget.value });
  return (
    <div>
      <Section title="Filter conversations">
        <form
          role="search"
          class="flex flex-wrap gap-3 items-end"
          onSubmit={(e) => {
            e.preventDefault();
            show();
          }}
        >
          <Field label="Conversation">
            <select class={input} value={f.channelId} onChange={set("channelId")}>
              <option value="">Every conversation</option>
              {initial.channels.map((c) => <option key={c.id} value={c.id}>#{c.name}</option>)}
            </select>
          </Field>
          <Field label="Person">
            <select class={input} value={f.userId} onChange={set("userId")}>
              <option value="">Anyone</option>
              {initial.people.map((p) => <option key={p.id} value={p.id}>{p.displayName}</option>)}
            </select>
          </Field>
          <Field label="From">
            <input class={input} type="date" value={f.from} onInput={set("from")} />
          </Field>
          <Field label="Until">
            <input class={input} type="date" value={f.to} onInput={set("to")} />
          </Field>
          <Field label="Text">
            <input class={input} type="search" value={f.q} onInput={set("q")} />
          </Field>
          <button class={primary} type="submit">Show messages</button>
          <label class="flex gap-2 items-center text-sm">
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
            Live
          </label>
        </form>
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
