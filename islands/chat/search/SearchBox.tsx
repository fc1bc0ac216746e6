/**
 * The header's search: the "Search" box (Ctrl/Cmd+Shift+F focuses it; Ctrl/Cmd+K is the quick switcher) and, while a query is open, the "Search
 * results" region with filter controls and results grouped by kind: messages (jump to the message with
 * context around it), files, people and channels. Filters are the query language's own words, so the
 * controls and typing `from:@bob` are the same thing.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { cx, IconSearch, IconX } from "../../../components/ui.tsx";
import type { SearchResults } from "../../../realtime/client/rest.ts";
import { useApp } from "../state.ts";
import { Highlighted } from "./Highlighted.tsx";
import { Filters } from "./Filters.tsx";

export function SearchBox({ onType }: { onType?: (q: string) => void }) {
  const { client, navigate } = useApp();
  const [q, setQ] = useState("");
  const [open, setOpen] = useState(false);
  const [res, setRes] = useState<SearchResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [all, setAll] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const monitor = client.me.value?.permissions.includes("chat.monitor_all") ?? false;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Ctrl/Cmd+K is the quick switcher (people and conversations); message search is Ctrl/Cmd+Shift+F.
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === "f") {
        e.preventDefault();
        e.stopImmediatePropagation();
        input.current?.focus();
        input.current?.select();
      }
    };
    addEventListener("keydown", onKey, true);
    return () => removeEventListener("keydown", onKey, true);
  }, []);

  useEffect(() => {
    if (!open || !q.trim()) return setRes(null);
    let live = true;
    const timer = setTimeout(() => {
      client.rest.search(q, all ? "all" : "mine").then((r) => {
        if (live) {
          setRes(r);
          setError(null);
        }
      }).catch((e) => live && setError(e.message));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, open, all]);

  const close = () => setOpen(false);
  const go = (channelId: number, messageId: number | null = null) => {
    close();
    navigate(channelId, messageId);
  };
  const count = res ? res.messages.length + res.files.length + res.people.length + res.channels.length : 0;

  return (
    <div class="relative flex-1 max-w-xl">
      <span class="absolute left-2 top-1/2 -translate-y-1/2 text-muted">
        <IconSearch width="16" height="16" />
      </span>
      <input
        ref={input}
        type="search"
        aria-label="Search"
        placeholder="Search messages, files, people (Ctrl+Shift+F)"
        value={q}
        onInput={(e) => {
          const v = (e.target as HTMLInputElement).value;
          setQ(v);
          setOpen(!!v.trim());
          onType?.(v);
        }}
        onFocus={() => q.trim() && setOpen(true)}
        onKeyDown={(e) => {
          if (e.key === "Escape") close();
          if (e.key === "Enter") setOpen(true);
        }}
        class="w-full rounded-md border border-line bg-input text-fg pl-8 pr-2 py-1.5 text-sm"
      />
      {open && (
        <section
          aria-label="Search results"
          class="absolute left-0 right-0 md:right-auto md:w-[40rem] top-full mt-1 z-30 max-h-[75vh] overflow-y-auto rounded-lg border border-line bg-main shadow-xl p-3 text-sm"
          onKeyDown={(e) => e.key === "Escape" && close()}
        >
          <div class="flex items-center justify-between mb-2">
            <p aria-live="polite" class="text-muted">
              {error ?? (res ? (count ? `${count} results` : "No results") : "Searching…")}
            </p>
            <button
              type="button"
              aria-label="Close search"
              onClick={close}
              class="p-1 text-muted hover:text-fg"
            >
              <IconX width="14" height="14" />
            </button>
          </div>
          <Filters q={q} setQ={setQ} />
          {monitor && (
            <label class="flex items-center gap-2 mb-2 text-muted">
              <input
                type="checkbox"
                checked={all}
                onChange={(e) => setAll((e.target as HTMLInputElement).checked)}
              />
              Search every conversation (monitoring; this is audited)
            </label>
          )}
          {res && <Groups res={res} go={go} />}
        </section>
      )}
    </div>
  );
}

function Groups({ res, go }: { res: SearchResults; go: (c: number, m?: number | null) => void }) {
  const { client } = useApp();
  const open = async (userId: number) => {
    const { channel } = await client.rest.openDirect(userId);
    go(channel.id);
  };
  return (
    <div class="flex flex-col gap-3">
      {res.messages.length > 0 && (
        <Group title="Messages">
          {res.messages.map((m) => (
            <li key={m.id}>
              <button
                type="button"
                onClick={() => go(m.channelId, m.id)}
                class="w-full text-left rounded-md px-2 py-1.5 hover:bg-hover"
                aria-label={`Jump to message from ${m.senderName ?? "someone"} in ${label(m)}`}
              >
                <span class="block text-xs text-muted">
                  {label(m)} · {m.senderName ?? ""} · {new Date(m.createdAt).toLocaleString()}
                </span>
                <span class="block text-fg break-words">
                  <Highlighted text={m.snippet} ranges={m.highlights} />
                </span>
              </button>
            </li>
          ))}
        </Group>
      )}
      {res.files.length > 0 && (
        <Group title="Files">
          {res.files.map((f) => (
            <li key={f.id}>
              <button
                type="button"
                onClick={() => go(f.channelId, f.messageId)}
                class="w-full text-left rounded-md px-2 py-1.5 hover:bg-hover"
              >
                <span aria-hidden="true">{f.kind === "image" ? "🖼️" : f.kind === "pdf" ? "📄" : "📎"}</span>
                {" "}
                <Highlighted text={f.name} ranges={f.highlights} />
                <span class="text-xs text-muted">
                  · {f.channelName ? `#${f.channelName}` : "direct message"}
                </span>
              </button>
            </li>
          ))}
        </Group>
      )}
      {res.people.length > 0 && (
        <Group title="People">
          {res.people.map((u) => (
            <li key={u.id}>
              <button
                type="button"
                onClick={() => open(u.id)}
                class="w-full text-left rounded-md px-2 py-1.5 hover:bg-hover"
              >
                {u.displayName} <span class="text-muted">@{u.username}</span>
              </button>
            </li>
          ))}
        </Group>
      )}
      {res.channels.length > 0 && (
        <Group title="Channels">
          {res.channels.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                onClick={() => go(c.id)}
                class="w-full text-left rounded-md px-2 py-1.5 hover:bg-hover"
              >
                #{c.name} <span class="text-muted">{c.member ? "" : "· not joined"}</span>
              </button>
            </li>
          ))}
        </Group>
      )}
    </div>
  );
}

const label = (m: { channelName: string; channelKind: string }) =>
  m.channelKind.endsWith("_channel") ? `#${m.channelName}` : "direct message";

function Group({ title, children }: { title: string; children: preact.ComponentChildren }) {
  const id = `search-${title.toLowerCase()}`;
  return (
    <section aria-labelledby={id}>
      <h3 id={id} class={cx("text-xs font-bold uppercase tracking-wide text-muted mb-1")}>{title}</h3>
      <ul class="flex flex-col">{children}</ul>
    </section>
  );
}
