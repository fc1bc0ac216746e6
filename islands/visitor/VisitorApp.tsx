/**
 * The visitor's chat, used by the full page at /support and inside the embedded widget's iframe: pre-chat
 * form, waiting in line, the live conversation, ending, rating and transcript, or the offline form.
 * Screen readers hear new messages (the log) and the place in line (a status region).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { VisitorClient } from "./client.ts";
import type { VisitorMessage } from "../../realtime/visitor_protocol.ts";
import { AttachButton, VisitorFile } from "./VisitorFile.tsx";
import { OfflineForm, PrechatForm, primaryBtn, RatingForm, TranscriptEmailForm } from "./Forms.tsx";

function waitText(seconds: number | null): string {
  if (seconds === null) return "";
  const m = Math.max(1, Math.round(seconds / 60));
  return ` Estimated wait: about ${m} minute${m > 1 ? "s" : ""}.`;
}

function statusText(c: VisitorClient): string {
  const v = c.conv.value;
  if (!v) return "";
  if (v.status === "waiting") {
    return v.position
      ? `You are number ${v.position} in line.${waitText(v.waitSeconds)}`
      : "Waiting for someone to answer.";
  }
  if (v.status === "active") return `You are chatting with ${v.agentName ?? "support"}.`;
  return "This chat has ended.";
}

function Bubble({ m, client }: { m: VisitorMessage; client: VisitorClient }) {
  if (m.kind === "system") return <li class="text-xs text-muted text-center py-1">{m.body}</li>;
  const mine = m.kind === "visitor";
  return (
    <li class={mine ? "flex justify-end" : "flex justify-start"}>
      <div
        class={mine
          ? "max-w-[80%] rounded-lg px-3 py-2 text-sm v-primary"
          : "max-w-[80%] rounded-lg px-3 py-2 text-sm bg-hover text-fg"}
      >
        <span class="sr-only">{mine ? "You" : m.authorName}:</span>
        {!mine && <span aria-hidden="true" class="block text-xs font-semibold">{m.authorName}</span>}
        {m.file
          ? <VisitorFile client={client} f={m.file} />
          : <span class="whitespace-pre-wrap break-words">{m.body}</span>}
      </div>
    </li>
  );
}

function Composer({ client }: { client: VisitorClient }) {
  const [text, setText] = useState("");
  const typing = useRef<ReturnType<typeof setTimeout> | null>(null);
  const submit = () => {
    const body = text.trim();
    if (!body) return;
    client.send(body);
    setText("");
    if (typing.current) clearTimeout(typing.current);
    typing.current = null;
    client.typing(false);
  };
  return (
    <form class="flex gap-2 p-2 border-t border-line" onSubmit={(e) => (e.preventDefault(), submit())}>
      <label for="pv-message" class="sr-only">Message</label>
      <textarea
        id="pv-message"
        rows={2}
        class="flex-1 rounded-md border border-line bg-input text-fg px-2 py-1.5 text-sm resize-none"
        value={text}
        maxLength={16000}
        onInput={(e) => {
          setText((e.target as HTMLTextAreaElement).value);
          if (!typing.current) client.typing(true);
          else clearTimeout(typing.current);
          typing.current = setTimeout(() => (client.typing(false), (typing.current = null)), 3000);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            submit();
          }
        }}
      />
      {client.settings.value?.attachments && <AttachButton client={client} />}
      <button type="submit" class={primaryBtn}>Send</button>
    </form>
  );
}

function ChatView({ client }: { client: VisitorClient }) {
  const v = client.conv.value!;
  const list = client.messages.value;
  const logRef = useRef<HTMLDivElement>(null);
  const [transcript, setTranscript] = useState<string | null>(null);
  useEffect(() => {
    logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
    if (document.visibilityState === "visible") client.seen();
  }, [list.length, client.pending.value.length]);
  const lastMine = [...list].reverse().find((m) => m.kind === "visitor");
  const rating = client.settings.value?.rating_type ?? "off";
  return (
    <div class="flex flex-col min-h-0 flex-1">
      <p role="status" class="px-3 py-2 text-sm border-b border-line bg-sidebar">{statusText(client)}</p>
      <div
        ref={logRef}
        role="log"
        aria-label="Conversation"
        aria-live="polite"
        class="flex-1 overflow-y-auto p-3"
      >
        <ol class="flex flex-col gap-2 list-none m-0 p-0">
          {list.map((m) => <Bubble key={m.id} m={m} client={client} />)}
          {client.pending.value.map((p) => (
            <li key={p.clientId} class="flex justify-end">
              <div class="max-w-[80%] rounded-lg px-3 py-2 text-sm v-primary opacity-70">
                <span class="whitespace-pre-wrap break-words">{p.body}</span>
                <span class="block text-xs">Sending…</span>
              </div>
            </li>
          ))}
        </ol>
      </div>
      <div aria-live="polite" class="px-3 text-xs text-muted min-h-[1.25rem]">
        {lastMine && v.agentSeenSeq >= lastMine.seq && v.status !== "waiting" ? "Seen" : ""}
        {client.agentTyping.value ? ` ${v.agentName ?? "Support"} is typing…` : ""}
      </div>
      {client.error.value && <p role="alert" class="px-3 text-sm text-danger">{client.error.value}</p>}
      {v.status !== "ended"
        ? (
          <>
            <Composer client={client} />
            <div class="px-2 pb-2 flex justify-end">
              <button type="button" class="text-sm underline text-fg" onClick={() => void client.end()}>
                End chat
              </button>
            </div>
          </>
        )
        : (
          <div class="p-3 border-t border-line flex flex-col gap-3">
            {rating !== "off" && (v.rated
              ? <p role="status" class="text-sm">Thank you for your rating.</p>
              : <RatingForm client={client} type={rating} />)}
            <div class="flex flex-wrap gap-2">
              <button
                type="button"
                class="rounded-md border border-line px-3 py-1.5 text-sm"
                onClick={async () => setTranscript(await client.transcript())}
              >
                Get transcript
              </button>
              <button
                type="button"
                class="rounded-md border border-line px-3 py-1.5 text-sm"
                onClick={() => client.newChat()}
              >
                Start a new chat
              </button>
            </div>
            <TranscriptEmailForm client={client} />
            {transcript !== null && (
              <a
                class="text-sm underline text-link"
                download={`chat-${v.id}.txt`}
                href={`data:text/plain;charset=utf-8,${encodeURIComponent(transcript)}`}
              >
                Download transcript
              </a>
            )}
          </div>
        )}
    </div>
  );
}

export function VisitorPanel({ client, onClose }: { client: VisitorClient; onClose?: () => void }) {
  const s = client.settings.value;
  const phase = client.phase.value;
  useEffect(() => {
    const seen = () => document.visibilityState === "visible" && client.seen();
    const online = () => client.reconnectNow();
    document.addEventListener("visibilitychange", seen);
    addEventListener("online", online);
    return () => {
      document.removeEventListener("visibilitychange", seen);
      removeEventListener("online", online);
    };
  }, []);
  return (
    <section aria-label={s?.look.title ?? "Chat with us"} class="flex flex-col h-full bg-main text-fg">
      <header class="flex items-center gap-2 px-3 py-2 v-primary">
        {s?.look.logoUrl && <img src={s.look.logoUrl} alt="" class="w-6 h-6 rounded" />}
        <h1 class="text-base font-semibold flex-1 m-0">{s?.look.title ?? "Chat with us"}</h1>
        {client.connection.value === "closed" && phase === "chat" && (
          <span class="text-xs" role="status">Reconnecting…</span>
        )}
        {onClose && (
          <button type="button" class="px-2 py-1 text-sm rounded" aria-label="Close chat" onClick={onClose}>
            ✕
          </button>
        )}
      </header>
      {client.notice.value && phase !== "chat" && (
        <p role="status" class="px-3 py-2 text-sm bg-sidebar">{client.notice.value}</p>
      )}
      <div class="flex-1 min-h-0 overflow-y-auto flex flex-col">
        {phase === "loading" && <p class="p-4 text-sm text-muted">Loading…</p>}
        {phase === "error" && (
          <p role="alert" class="p-4 text-sm">The chat could not load. Please try again later.</p>
        )}
        {phase === "form" && s && <PrechatForm client={client} settings={s} />}
        {phase === "offline" && s && <OfflineForm client={client} settings={s} />}
        {phase === "chat" && client.conv.value && <ChatView client={client} />}
      </div>
    </section>
  );
}
