/**
 * Retention, in the Control panel: the period (set in Settings), the channels on legal hold (set in
 * Channels), "Dry run" (what would go) and "Run retention now", and the log of runs.
 */
import { useState } from "preact/hooks";
import { api, when } from "./api.ts";
import { btn, danger, Section, StatusLine } from "./ui.tsx";
import { AdminTable } from "./table.tsx";

interface Run {
  id: number;
  startedAt: string;
  cutoff: string;
  days: number;
  dryRun: boolean;
  trigger: string;
  messages: number;
  files: number;
  heldChannels: number;
}
export interface RetentionData {
  days: number;
  heldChannels: { id: number; name: string }[];
  runs: Run[];
}

export function Retention({ initial }: { initial: RetentionData }) {
  const [d, setD] = useState(initial);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const run = async (dryRun: boolean) => {
    try {
      setStatus({ text: dryRun ? "Counting…" : "Deleting expired messages…" });
      const { run: r } = await api<{ run: Run }>("POST", "/api/admin/retention/run", { dryRun });
      setD(await api<RetentionData>("GET", "/api/admin/retention"));
      setStatus({
        text: dryRun
          ? `Dry run: ${r.messages} messages and ${r.files} files would be deleted`
          : `Deleted ${r.messages} messages and ${r.files} files`,
      });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  };
  return (
    <Section title="Retention">
      <p class="text-sm mb-2">
        {d.days > 0
          ? `Messages older than ${d.days} days are deleted every hour.`
          : "Retention is off: every message is kept. Set “Keep messages for (days)” in Settings."}
      </p>
      <p class="text-sm mb-3">
        On legal hold (never deleted): {d.heldChannels.map((c) => `#${c.name}`).join(", ") || "no channel"}.
      </p>
      <div class="flex gap-2 flex-wrap">
        <button class={btn} type="button" disabled={d.days <= 0} onClick={() => run(true)}>Dry run</button>
        <button class={danger} type="button" disabled={d.days <= 0} onClick={() => run(false)}>
          Run retention now
        </button>
      </div>
      <StatusLine status={status} />
      <AdminTable
        caption="Retention runs, newest first"
        rows={d.runs}
        rowKey={(r) => r.id}
        empty="No run yet"
        columns={[
          { header: "Started", cell: (r) => when(r.startedAt) },
          { header: "By", cell: (r) => r.trigger === "schedule" ? "Schedule" : "Administrator" },
          { header: "Kind", cell: (r) => r.dryRun ? "Dry run" : "Deletion" },
          { header: "Older than", cell: (r) => when(r.cutoff) },
          { header: "Messages", cell: (r) => r.messages },
          { header: "Files", cell: (r) => r.files },
        ]}
      />
    </Section>
  );
}
