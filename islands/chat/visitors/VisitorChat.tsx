/**
 * One visitor conversation for staff: the visitor's details (form answers, page, browser, earlier chats),
 * messages with internal notes, typing and "seen", the reply box with canned replies and an internal-note
 * switch, and the actions "Transfer", "End chat" and "Escalate".
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "../state.ts";
import type { AgentInfo, Detail, VisitorsApi } from "./api.ts";
import { addVisitorMessage, type VisitorEvent } from "../../../realtime/visitor_protocol.ts";
import { VisitorFile } from "./VisitorFile.tsx";

const btn = "rounded border border-line px-2 py-1 text-xs";

export function VisitorChat(
  { id, api, canned, onClose, onChanged, readOnly = false }: {
    id: number;
    /** A monitor watching someone else's conversation: no reply box, no actions, no "seen". */
    readOnly?: boolean;
    api: VisitorsApi;
    canned: { title: string; body: string }[];
    onClose: () => void;
    onChanged: () => void;
  },
) {
  const { client } = useApp();
  const [d, setD] = useState<Detail | null>(null);
  const [text, setText] = useState("");
  const [note, setNote] = useState(false);
  const [typing, setTyping] = useState(false);
  const [mode, setMode] = useState<"none" | "transfer" | "escalate">("none");
  const [agents, setAgents] = useState<AgentInfo[]>([]);
  const [error, setError] = useState("");
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** The highest position this view reported as seen (or the agent's own message, which counts as seen). */
  const seenSent = useRef(0);
  const load = () => api.detail(id).then(setD).catch((e) => setError(e.message));
  useEffect(() => {
    void load();
    const on = (e: VisitorEvent) => {
      if (!("conversationId" in e) || e.conversationId !== id) return;
      if (e.type === "visitor_message") {
        setD((x) => x && { ...x, messages: addVisitorMessage(x.messages, e.message) });
        if (e.message.kind === "visitor") setTyping(false);
      } else if (e.type === "visitor_typing" && e.who === "visitor") setTyping(e.typing);
      else if (e.type === "visitor_seen" && e.who === "visitor") {
        setD((x) => x && { ...x, conversation: { ...x.conversation, visitorSeenSeq: e.seq } });
      } else if (e.type === "visitor_queue_changed") void load();
    };
    const offs = ["visitor_message", "visitor_typing", "visitor_seen", "visitor_queue_changed"].map((t) =>
      client.on(t as VisitorEvent["type"], on as never)
    );
    return () => offs.forEach((f) => f());
  }, [id]);
  useEffect(() => {
    // Once per new message from the other side (the server moves the agent's position with their own reply).
    const last = d?.messages.at(-1);
    if (!last || last.seq <= seenSent.current || readOnly) return;
    if (last.kind !== "agent" && last.kind !== "note") {
      if (d?.conversation.status !== "active") return;
      void api.seen(id, last.seq).catch(() => {});
    }
    seenSent.current = last.seq;
  }, [d?.messages.length, d?.conversation.status]);
  const act = async (fn: () => Promise<unknown>) => {
    setError("");
    try {
      await fn();
      onChanged();
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  if (!d) return <p class="px-3 py-2 text-sm">{error || "Loading…"}</p>;
  const c = d.conversation;
  const name = c.name || `Visitor #${c.id}`;
  const active = c.status === "active" && !readOnly;
  const lastAgent = [...d.messages].reverse().find((m) => m.kind === "agent");
  const submit = () => {
    const body = text.trim();
    if (!body) return;
    setText("");
    setError("");
    // The reply goes over the socket; the acknowledged message joins the list (the event may come first).
    api.send(id, body, note).then(
      (r) => setD((x) => x && { ...x, messages: addVisitorMessage(x.messages, r.message) }),
      (e) => setError(e instanceof Error ? e.message : String(e)),
    );
    void api.typing(id, false).catch(() => {});
  };
  return (
    <div
      role="group"
      aria-label={readOnly ? `Watching visitor chat with ${name}` : `Visitor chat with ${name}`}
      class="border-t-2 border-accent flex flex-col"
    >
      <div class="px-3 py-2 flex items-center gap-2">
        <h3 class="text-sm font-bold flex-1 m-0 truncate">{name}</h3>
        <button type="button" class={btn} aria-label="Close visitor chat" onClick={onClose}>✕</button>
      </div>
      <details class="px-3 text-xs">
        <summary class="cursor-pointer">Visitor details</summary>
        <dl class="grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 py-1">
          <dt class="text-muted">Email</dt>
          <dd class="m-0 break-all">{c.email || "—"}</dd>
          <dt class="text-muted">Phone</dt>
          <dd class="m-0">{c.phone || "—"}</dd>
          <dt class="text-muted">Topic</dt>
          <dd class="m-0">{c.topic || "—"}</dd>
          <dt class="text-muted">Page</dt>
          <dd class="m-0 break-all">{c.page || "—"}</dd>
          <dt class="text-muted">Browser</dt>
          <dd class="m-0 break-all">{c.userAgent || "—"}</dd>
          <dt class="text-muted">Status</dt>
          <dd class="m-0">{c.status}{c.visitorOnline ? ", online" : ", away"}</dd>
          {c.ticketId && (
            <>
              <dt class="text-muted">Ticket</dt>
              <dd class="m-0">#{c.ticketId}</dd>
            </>
          )}
          {c.escalationChannelId && (
            <>
              <dt class="text-muted">Internal</dt>
              <dd class="m-0">
                <a class="underline text-link" href={`/chat/${c.escalationChannelId}`}>Escalation thread</a>
              </dd>
            </>
          )}
        </dl>
        {d.previous.length > 0 && (
          <p class="py-1">
            Earlier chats: {d.previous.map((p) => `#${p.id} (${p.topic || p.status})`).join(", ")}
          </p>
        )}
      </details>
      <div role="log" aria-label={`Messages with ${name}`} class="px-3 py-2 max-h-72 overflow-y-auto text-sm">
        <ol class="list-none m-0 p-0 flex flex-col gap-1">
          {d.messages.map((m) => (
            <li
              key={m.id}
              class={m.kind === "system"
                ? "text-xs text-muted text-center"
                : m.kind === "note"
                ? "bg-mention rounded px-2 py-1 text-xs"
                : m.kind === "visitor"
                ? "bg-main rounded px-2 py-1"
                : "bg-hover rounded px-2 py-1 self-end"}
            >
              {m.kind === "note" && <span class="font-semibold">Internal note ·</span>}
              {m.kind !== "system" && <span class="font-semibold">{`${m.authorName || name}: `}</span>}
              {m.file
                ? <VisitorFile f={m.file} />
                : <span class="whitespace-pre-wrap break-words">{m.body}</span>}
            </li>
          ))}
        </ol>
      </div>
      <p aria-live="polite" class="px-3 text-xs text-muted min-h-[1rem] m-0">
        {typing ? `${name} is typing…` : lastAgent && c.visitorSeenSeq >= lastAgent.seq ? "Seen" : ""}
      </p>
      {error && <p role="alert" class="px-3 text-xs text-danger">{error}</p>}
      {readOnly && (
        <p role="note" class="px-3 py-2 text-xs text-muted m-0">
          Watching {c.agentName ? `${c.agentName}'s` : "this"} chat live (read-only).
        </p>
      )}
      {(active || (note && !readOnly)) && (
        <form class="px-3 py-2 flex flex-col gap-1" onSubmit={(e) => (e.preventDefault(), submit())}>
          {canned.length > 0 && (
            <select
              aria-label="Canned reply"
              class="rounded border border-line bg-input text-fg text-xs px-1 py-1"
              value=""
              onChange={(e) => {
                const r = canned[Number((e.target as HTMLSelectElement).value)];
                if (r) setText(text ? `${text}\n${r.body}` : r.body);
              }}
            >
              <option value="">Canned reply…</option>
              {canned.map((r, i) => <option key={i} value={i}>{r.title}</option>)}
            </select>
          )}
          <textarea
            aria-label="Reply to visitor"
            rows={2}
            class="rounded border border-line bg-input text-fg px-2 py-1 text-sm"
            value={text}
            onInput={(e) => {
              setText((e.target as HTMLTextAreaElement).value);
              if (note) {
                return;
              }
              if (!typingTimer.current) {
                void api.typing(id, true).catch(() => {});
              } else clearTimeout(typingTimer.current);
              typingTimer.current = setTimeout(() => {
                typingTimer.current = null;
                void api.typing(id, false).catch(() => {});
              }, 3000);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                submit();
              }
            }}
          />
          <div class="flex items-center gap-2">
            <label class="text-xs flex items-center gap-1">
              <input
                type="checkbox"
                checked={note}
                onChange={(e) =>
                  setNote((e.target as HTMLInputElement).checked)}
              />
              Internal note
            </label>
            <span class="flex-1" />
            <button type="submit" class="rounded bg-accent text-accent-fg px-2 py-1 text-xs font-semibold">
              {note ? "Add note" : "Send reply"}
            </button>
          </div>
        </form>
      )}
      {active && (
        <div class="px-3 pb-2 flex flex-wrap gap-1">
          <button
            type="button"
            class={btn}
            aria-expanded={mode === "transfer"}
            onClick={async () => (setAgents(await api.agents()),
              setMode(mode === "transfer" ? "none" : "transfer"))}
          >
            Transfer
          </button>
          <button
            type="button"
            class={btn}
            onClick={() => act(() => api.end(id))}
          >
            End chat
          </button>
          <button
            type="button"
            class={btn}
            aria-expanded={mode === "escalate"}
            onClick={() => setMode(mode === "escalate" ? "none" : "escalate")}
          >
            Escalate
          </button>
        </div>
      )}
      {mode === "transfer" && active && (
        <TransferForm
          agents={agents}
          onSubmit={(to, n) => act(async () => (await api.transfer(id, to, n), setMode("none")))}
        />
      )}
      {mode === "escalate" && active && (
        <EscalateForm
          onSubmit={(ids, n) => act(async () => (await api.escalate(id, ids, n), setMode("none")))}
        />
      )}
    </div>
  );
}

function TransferForm(
  { agents, onSubmit }: {
    agents: AgentInfo[];
    onSubmit: (to: { toUserId?: number; toTeam?: string }, note: string) => void;
  },
) {
  const { client } = useApp();
  const [to, setTo] = useState("");
  const [note, setNote] = useState("");
  const teams = [...new Set(agents.map((a) => a.team).filter(Boolean))];
  const others = agents.filter((a) => a.userId !== client.me.value?.id);
  return (
    <form
      aria-label="Transfer this chat"
      class="px-3 pb-2 flex flex-col gap-1 text-xs"
      onSubmit={(e) => {
        e.preventDefault();
        if (!to) return;
        onSubmit(to.startsWith("team:") ? { toTeam: to.slice(5) } : { toUserId: Number(to) }, note);
      }}
    >
      <label for="vt-to">Transfer to</label>
      <select
        id="vt-to"
        class="rounded border border-line bg-input text-fg px-1 py-1"
        value={to}
        onChange={(e) => setTo((e.target as HTMLSelectElement).value)}
      >
        <option value="">Choose…</option>
        {others.map((a) => (
          <option key={a.userId} value={a.userId}>
            {a.displayName} ({a.online && a.available ? `available, ${a.load}/${a.capacity}` : "unavailable"})
          </option>
        ))}
        {teams.map((t) => <option key={t} value={`team:${t}`}>Team {t}</option>)}
      </select>
      <label for="vt-note">Note for the next agent</label>
      <textarea
        id="vt-note"
        rows={2}
        class="rounded border border-line bg-input text-fg px-1"
        value={note}
        onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
      />
      <button type="submit" class="rounded bg-accent text-accent-fg px-2 py-1 font-semibold">
        Confirm transfer
      </button>
    </form>
  );
}

function EscalateForm({ onSubmit }: { onSubmit: (ids: number[], note: string) => void }) {
  const { client } = useApp();
  const [ids, setIds] = useState<number[]>([]);
  const [note, setNote] = useState("");
  const me = client.me.value?.id;
  const people = Object.values(client.users.value).filter((u) => u.id !== me);
  return (
    <form
      aria-label="Escalate to colleagues"
      class="px-3 pb-2 flex flex-col gap-1 text-xs"
      onSubmit={(e) => (e.preventDefault(), ids.length && onSubmit(ids, note))}
    >
      <fieldset class="flex flex-col gap-0.5 max-h-32 overflow-y-auto">
        <legend>Colleagues to bring in</legend>
        {people.map((u) => (
          <label key={u.id} class="flex items-center gap-1">
            <input
              type="checkbox"
              checked={ids.includes(u.id)}
              onChange={(e) =>
                setIds(
                  (e.target as HTMLInputElement).checked ? [...ids, u.id] : ids.filter((x) => x !== u.id),
                )}
            />
            {u.displayName}
          </label>
        ))}
      </fieldset>
      <label for="ve-note">What do you need?</label>
      <textarea
        id="ve-note"
        rows={2}
        class="rounded border border-line bg-input text-fg px-1"
        value={note}
        onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
      />
      <button type="submit" class="rounded bg-accent text-accent-fg px-2 py-1 font-semibold">
        Start internal thread
      </button>
    </form>
  );
}
