/**
 * Control panel: maintenance mode, signing everyone out, system broadcasts with a live acknowledgement
 * report, retention, backup and purge.
 */
import { useEffect, useState } from "preact/hooks";
import { api, when } from "./api.ts";
import { Retention, type RetentionData } from "./Retention.tsx";
import { Backup } from "./Backup.tsx";
import { Purge } from "./Purge.tsx";
import { btn, danger, Field, input, primary, Section, StatusLine, td, th } from "./ui.tsx";

interface Broadcast {
  id: number;
  author: string | null;
  body: string;
  createdAt: string;
  endedAt: string | null;
}
interface Report {
  broadcast: Broadcast;
  people: { userId: number; displayName: string; ackedAt: string | null }[];
  acknowledged: number;
  total: number;
}
export interface ControlData {
  maintenance: boolean;
  message: string;
  broadcasts: Broadcast[];
  canBroadcast: boolean;
  retention: RetentionData;
  engine: string;
}

export function Control({ initial }: { initial: ControlData }) {
  const [maint, setMaint] = useState({ on: initial.maintenance, message: initial.message });
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const [body, setBody] = useState("");
  const [current, setCurrent] = useState<number | null>(initial.broadcasts[0]?.id ?? null);
  const [report, setReport] = useState<Report | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const run = async (what: () => Promise<string>) => {
    try {
      setStatus({ text: await what() });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };

  // The report follows acknowledgements as they come in.
  useEffect(() => {
    if (current === null) return;
    let stop = false;
    const tick = async () => {
      try {
        const r = await api<Report>("GET", `/api/admin/broadcasts/${current}`);
        if (!stop) setReport(r);
      } catch { /* next tick */ }
    };
    tick();
    const id = setInterval(tick, 1000);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, [current]);

  return (
    <div>
      <StatusLine status={status} />
      <Section title="Maintenance mode">
        <p class="text-sm mb-2">
          Maintenance mode is{" "}
          <strong>{maint.on ? "on" : "off"}</strong>. While it is on, everyone but administrators sees a
          banner and cannot send.
        </p>
        <div class="flex flex-wrap gap-3 items-end">
          <Field label="Maintenance message">
            <input
              class={`${input} w-96 max-w-full`}
              value={maint.message}
              maxLength={300}
              onInput={(e) => setMaint({ ...maint, message: e.currentTarget.value })}
            />
          </Field>
          <button
            class={maint.on ? btn : danger}
            type="button"
            onClick={() =>
              run(async () => {
                const r = await api<{ maintenance: boolean; message: string }>(
                  "PUT",
                  "/api/admin/maintenance",
                  {
                    on: !maint.on,
                    message: maint.message,
                  },
                );
                setMaint({ on: r.maintenance, message: r.message });
                return r.maintenance ? "Maintenance mode is on" : "Maintenance mode is off";
              })}
          >
            {maint.on ? "Turn maintenance off" : "Turn maintenance on"}
          </button>
        </div>
      </Section>
      <Section title="Disconnect everyone">
        <p class="text-sm mb-2">Ends every session but yours; every open tab closes within seconds.</p>
        {confirmAll
          ? (
            <div class="flex gap-2">
              <button
                class={danger}
                type="button"
                onClick={() =>
                  run(async () => {
                    const r = await api<{ sessionsEnded: number }>("POST", "/api/admin/sign-out-everyone");
                    setConfirmAll(false);
                    return `${r.sessionsEnded} sessions ended`;
                  })}
              >
                Yes, sign everyone out
              </button>
              <button class={btn} type="button" onClick={() => setConfirmAll(false)}>Cancel</button>
            </div>
          )
          : <button class={btn} type="button" onClick={() => setConfirmAll(true)}>Sign everyone out</button>}
      </Section>
      {initial.canBroadcast && (
        <Section title="System broadcast">
          <form
            class="flex flex-wrap gap-3 items-end mb-3"
            onSubmit={(e) => {
              e.preventDefault();
              run(async () => {
                const r = await api<{ broadcast: Broadcast }>("POST", "/api/admin/broadcasts", { body });
                setBody("");
                setCurrent(r.broadcast.id);
                return "Broadcast sent";
              });
            }}
          >
            <Field label="Broadcast message">
              <textarea
                class={`${input} w-96 max-w-full`}
                rows={2}
                required
                maxLength={2000}
                value={body}
                onInput={(e) => setBody(e.currentTarget.value)}
              />
            </Field>
            <button class={primary} type="submit">Send broadcast</button>
          </form>
          {report && (
            <section aria-label="Acknowledgement report">
              <p class="text-sm mb-2">
                “{report.broadcast.body}” by {report.broadcast.author ?? "—"},{" "}
                {when(report.broadcast.createdAt)}
                {report.broadcast.endedAt ? " (ended)" : ""}
              </p>
              <p class="font-semibold text-sm mb-2" role="status">
                Acknowledged by {report.acknowledged} of {report.total}
              </p>
              <table class="text-sm mb-2">
                <caption class="sr-only">Who has seen the broadcast</caption>
                <thead>
                  <tr>
                    <th class={th} scope="col">Person</th>
                    <th class={th} scope="col">Acknowledged</th>
                  </tr>
                </thead>
                <tbody>
                  {report.people.map((p) => (
                    <tr key={p.userId}>
                      <td class={td}>{p.displayName}</td>
                      <td class={td}>{p.ackedAt ? when(p.ackedAt) : "Not yet"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {!report.broadcast.endedAt && (
                <button
                  class={btn}
                  type="button"
                  onClick={() =>
                    run(async () => {
                      await api("POST", `/api/admin/broadcasts/${report.broadcast.id}/end`);
                      return "Broadcast ended";
                    })}
                >
                  End broadcast
                </button>
              )}
            </section>
          )}
        </Section>
      )}
      <Retention initial={initial.retention} />
      <Backup engine={initial.engine} />
      <Purge />
    </div>
  );
}
