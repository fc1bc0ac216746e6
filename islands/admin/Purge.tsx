/**
 * Purge of old data, in the Control panel: a dry run that lists what would go per kind, then the purge
 * itself behind the typed word "purge", with progress per kind as the server reports it (NDJSON).
 */
import { useState } from "preact/hooks";
import { api, ApiError } from "./api.ts";
import { danger, Field, input, primary, Section, StatusLine, td, th } from "./ui.tsx";

const KINDS = {
  messages: "Messages",
  files: "Files",
  events: "Channel events",
  visitorConversations: "Visitor conversations",
  auditEntries: "Audit entries",
} as const;
type Kind = keyof typeof KINDS;
type Counts = Record<Kind, number>;

export function Purge() {
  const [days, setDays] = useState("365");
  const [dry, setDry] = useState<{ days: number; counts: Counts } | null>(null);
  const [confirm, setConfirm] = useState("");
  const [progress, setProgress] = useState<{ totals: Counts; done: Partial<Counts> } | null>(null);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const n = Number(days);
  const summary = (c: Counts) =>
    (Object.keys(KINDS) as Kind[]).map((k) => `${c[k]} ${KINDS[k].toLowerCase()}`).join(", ");

  const dryRun = async () => {
    try {
      const r = await api<{ counts: Counts }>("POST", "/api/admin/purge/dry-run", { olderThanDays: n });
      setDry({ days: n, counts: r.counts });
      setConfirm("");
      setStatus({ text: `Dry run: older than ${n} days, ${summary(r.counts)} would be deleted` });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };

  const purge = async () => {
    if (!dry) return;
    setStatus({ text: "Purging…" });
    try {
      const r = await fetch("/api/admin/purge", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ olderThanDays: dry.days, confirm }),
      });
      if (!r.ok || !r.body) {
        const j = await r.json().catch(() => ({}));
        throw new ApiError(j?.error?.message ?? r.statusText, r.status, []);
      }
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      let state = { totals: dry.counts, done: {} as Partial<Counts> };
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          const msg = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (msg.totals) state = { totals: msg.totals, done: {} };
          else if (msg.kind) state = { ...state, done: { ...state.done, [msg.kind]: msg.done } };
          else if (msg.finished) {
            state = { ...state, done: msg.counts };
            setStatus({ text: `Purged: ${summary(msg.counts)}` });
          } else if (msg.error) setStatus({ text: msg.error, error: true });
          setProgress(state);
        }
      }
      setDry(null);
      setConfirm("");
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };

  return (
    <Section title="Purge old data">
      <p class="text-sm mb-2">
        Deletes, at once, everything older than a number of days: messages and their files (not in channels on
        legal hold), channel events no reconnecting client still needs, ended visitor conversations and audit
        entries. Unlike retention it runs once, when you confirm it. Start with a dry run.
      </p>
      <div class="flex flex-wrap gap-3 items-end">
        <Field label="Older than (days)">
          <input
            class={`${input} w-32`}
            type="number"
            min={1}
            max={36500}
            required
            value={days}
            onInput={(e) => {
              setDays(e.currentTarget.value);
              setDry(null);
            }}
          />
        </Field>
        <button class={primary} type="button" disabled={!(n >= 1)} onClick={dryRun}>Dry run</button>
      </div>
      <StatusLine status={status} />
      {dry && (
        <div>
          <table class="text-sm mb-3">
            <caption class="text-left font-semibold mb-1">
              What the purge would delete (older than {dry.days} days)
            </caption>
            <thead>
              <tr>
                <th class={th} scope="col">Kind</th>
                <th class={th} scope="col">Would be deleted</th>
              </tr>
            </thead>
            <tbody>
              {(Object.keys(KINDS) as Kind[]).map((k) => (
                <tr key={k}>
                  <th class={`${td} text-left font-semibold`} scope="row">{KINDS[k]}</th>
                  <td class={td}>{dry.counts[k]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="flex flex-wrap gap-3 items-end">
            <Field label="Type “purge” to confirm">
              <input
                class={`${input} w-48`}
                value={confirm}
                onInput={(e) => setConfirm(e.currentTarget.value)}
              />
            </Field>
            <button class={danger} type="button" disabled={confirm.trim() !== "purge"} onClick={purge}>
              Purge older than {dry.days} days
            </button>
          </div>
        </div>
      )}
      {progress && (
        <ul class="text-sm mt-3" aria-label="Purge progress">
          {(Object.keys(KINDS) as Kind[]).map((k) => (
            <li key={k} class="flex gap-2 items-center">
              <span class="w-44">{KINDS[k]}</span>
              <progress
                aria-label={`${KINDS[k]} purged`}
                max={Math.max(progress.totals[k], 1)}
                value={progress.done[k] ?? 0}
              />
              <span>{progress.done[k] ?? 0} of {progress.totals[k]}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
