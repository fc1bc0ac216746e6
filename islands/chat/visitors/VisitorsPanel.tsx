/**
 * The "Visitors" region of /chat for staff who answer website visitors: the availability switch, waiting
 * visitors in order (wait time, name, topic, page) with "Claim", the conversations this agent holds, recent
 * tickets, and the open conversation (`VisitorChat`). Refreshes on `visitor_queue_changed` events.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { useApp } from "../state.ts";
import { type Overview, visitorsApi } from "./api.ts";
import { VisitorChat } from "./VisitorChat.tsx";

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 60 ? `${s} s` : `${Math.round(s / 60)} min`;
}

const mayAnswer = (perms: string[]) =>
  perms.includes("chat.public_queue") || perms.includes("chat.public_monitor");

export function VisitorsPanel() {
  const { client } = useApp();
  if (!mayAnswer(client.me.value?.permissions ?? [])) return null;
  return <VisitorsRegion />;
}

/** On a phone (one pane at a time), the way from the conversation list to the Visitors region. */
export function VisitorsEntry() {
  const { client, ui } = useApp();
  if (!mayAnswer(client.me.value?.permissions ?? [])) return null;
  return (
    <div class="md:hidden px-3 pt-3">
      <button
        type="button"
        class="w-full rounded-md border border-line px-3 py-2 text-sm font-semibold text-left"
        onClick={() => (ui.mobileView.value = "visitors")}
      >
        Open Visitors
      </button>
    </div>
  );
}

function VisitorsRegion() {
  const { client, ui } = useApp();
  const phone = ui.mobileView.value === "visitors";
  const api = useMemo(() => visitorsApi(client), [client]);
  const [ov, setOv] = useState<Overview | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [error, setError] = useState("");
  const [now, setNow] = useState(Date.now());
  const load = () => api.overview().then(setOv).catch((e) => setError(e.message));
  useEffect(() => {
    void load();
    const off = client.on("visitor_queue_changed", () => void load());
    const offStatus = client.on("visitor_status", () => void load());
    const tick = setInterval(() => setNow(Date.now()), 15_000);
    const m = /[?&]visitor=(\d+)/.exec(location.search);
    if (m) setOpen(Number(m[1]));
    return () => {
      off();
      offStatus();
      clearInterval(tick);
    };
  }, []);
  const act = async (fn: () => Promise<unknown>) => {
    setError("");
    try {
      await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    await load();
  };
  return (
    <section
      aria-label="Visitors"
      class={`${
        phone ? "flex w-full" : "hidden"
      } md:flex md:w-80 flex-col min-h-0 h-full border-l border-line bg-sidebar shrink-0 overflow-y-auto`}
    >
      <div class="px-3 py-2 border-b border-line flex flex-wrap items-center gap-2">
        <button
          type="button"
          class="md:hidden rounded border border-line px-2 py-1 text-xs"
          onClick={() => (ui.mobileView.value = "list")}
        >
          Back to conversations
        </button>
        <h2 class="text-sm font-bold flex-1 m-0">Visitors</h2>
        <label class="flex items-center gap-1 text-xs">
          <input
            type="checkbox"
            role="switch"
            checked={!!ov?.me.available}
            aria-checked={!!ov?.me.available}
            onChange={(e) => act(() => api.setAvailable((e.target as HTMLInputElement).checked))}
          />
          Available for visitor chats
        </label>
      </div>
      {error && <p role="alert" class="px-3 py-1 text-xs text-danger">{error}</p>}
      <h3 class="px-3 pt-2 text-xs font-semibold uppercase text-muted m-0">
        Waiting ({ov?.waiting.length ?? 0})
      </h3>
      <ul aria-label="Waiting visitors" class="list-none m-0 p-0">
        {ov?.waiting.map((w) => (
          <li key={w.id} class="px-3 py-2 border-b border-line text-sm flex items-start gap-2">
            <div class="flex-1 min-w-0">
              <div class="font-semibold truncate">{w.name || `Visitor #${w.id}`}</div>
              <div class="text-xs text-muted truncate">
                {w.topic || "No topic"} · waiting {ago(w.queuedAt, now)}
                {w.team ? ` · team ${w.team}` : ""}
              </div>
              {w.page && <div class="text-xs text-muted truncate" title={w.page}>{w.page}</div>}
            </div>
            <button
              type="button"
              class="rounded bg-accent text-accent-fg px-2 py-1 text-xs font-semibold"
              aria-describedby={`vw-${w.id}`}
              onClick={() =>
                act(async () => (await api.claim(w.id), setOpen(w.id)))}
            >
              Claim
            </button>
            <span id={`vw-${w.id}`} class="sr-only">{w.name || `Visitor #${w.id}`}</span>
          </li>
        ))}
      </ul>
      <h3 class="px-3 pt-3 text-xs font-semibold uppercase text-muted m-0">
        Your visitor chats ({ov?.held.length ?? 0})
      </h3>
      <ul aria-label="Your visitor chats" class="list-none m-0 p-0">
        {ov?.held.map((h) => (
          <li key={h.id}>
            <button
              type="button"
              aria-current={open === h.id ? "true" : undefined}
              class={`w-full text-left px-3 py-2 text-sm border-b border-line ${
                open === h.id ? "bg-selected" : "hover:bg-hover"
              }`}
              onClick={() => setOpen(h.id)}
            >
              {h.name || `Visitor #${h.id}`}
              <span class="text-xs text-muted">
                · {h.topic || "No topic"}
                {h.visitorOnline ? "" : " · away"}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {!!ov?.live.length && (
        <>
          <h3 class="px-3 pt-3 text-xs font-semibold uppercase text-muted m-0">
            Live conversations ({ov.live.length})
          </h3>
          <ul aria-label="Live conversations" class="list-none m-0 p-0">
            {ov.live.map((h) => (
              <li key={h.id}>
                <button
                  type="button"
                  aria-current={open === h.id ? "true" : undefined}
                  class={`w-full text-left px-3 py-2 text-sm border-b border-line ${
                    open === h.id ? "bg-selected" : "hover:bg-hover"
                  }`}
                  onClick={() => setOpen(h.id)}
                >
                  Watch {h.name || `Visitor #${h.id}`}
                  <span class="text-xs text-muted">{` · with ${h.agentName ?? "an agent"}`}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {open !== null && (
        <VisitorChat
          key={open}
          id={open}
          readOnly={!ov?.held.some((h) => h.id === open) && !ov?.waiting.some((w) => w.id === open) &&
            !!ov?.live.some((h) => h.id === open)}
          api={api}
          canned={ov?.canned ?? []}
          onClose={() => setOpen(null)}
          onChanged={load}
        />
      )}
      {!!ov?.tickets.length && (
        <>
          <h3 class="px-3 pt-3 text-xs font-semibold uppercase text-muted m-0">Recent tickets</h3>
          <ul aria-label="Recent tickets" class="list-none m-0 px-3 pb-3 text-xs">
            {ov.tickets.slice(0, 8).map((t) => <li key={t.id} class="py-1">#{t.id} {t.subject}</li>)}
          </ul>
        </>
      )}
    </section>
  );
}
