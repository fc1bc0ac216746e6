/**
 * Backup, in the Control panel: downloads a consistent dump of the database (`GET /api/admin/backup`) with
 * a progress bar, then hands it to the browser as a file. Restore is described next to the button.
 */
import { useState } from "preact/hooks";
import { ApiError } from "./api.ts";
import { fmtBytes } from "./Dashboard.tsx";
import { btn, Section, StatusLine } from "./ui.tsx";

export function Backup({ engine }: { engine: string }) {
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const [progress, setProgress] = useState<{ received: number; total: number | null } | null>(null);
  const download = async () => {
    setStatus({ text: "Preparing the backup…" });
    setProgress({ received: 0, total: null });
    try {
      const r = await fetch("/api/admin/backup", { credentials: "same-origin" });
      if (!r.ok || !r.body) {
        const j = await r.json().catch(() => ({}));
        throw new ApiError(j?.error?.message ?? r.statusText, r.status, []);
      }
      const size = Number(r.headers.get("content-length") ?? r.headers.get("x-database-bytes") ?? 0) || null;
      const name = /filename="([^"]+)"/.exec(r.headers.get("content-disposition") ?? "")?.[1] ?? "backup";
      const parts: Uint8Array[] = [];
      let received = 0;
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        received += value.length;
        setProgress({ received, total: size });
      }
      const url = URL.createObjectURL(new Blob(parts as BlobPart[]));
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setStatus({ text: `Backup downloaded: ${name} (${fmtBytes(received)})` });
    } catch (e) {
      setStatus({ text: `Backup failed: ${(e as Error).message}`, error: true });
    } finally {
      setProgress(null);
    }
  };
  return (
    <Section title="Backup">
      <p class="text-sm mb-2">
        A consistent copy of the whole database, taken while chat keeps running ({engine === "postgres"
          ? "pg_dump's custom format; restore it with pg_restore"
          : "the embedded database's data directory; restore it with deno task restore"}). Files kept outside
        the database (directory or S3 storage) are backed up with that storage. Step by step:
        docs/operations.md.
      </p>
      <button class={btn} type="button" disabled={progress !== null} onClick={download}>
        Download backup
      </button>
      {progress && (
        <div class="mt-2 text-sm">
          <progress
            aria-label="Backup progress"
            class="w-64 max-w-full"
            max={progress.total ?? undefined}
            value={progress.total ? Math.min(progress.received, progress.total) : undefined}
          />{" "}
          {fmtBytes(progress.received)}{" "}
          received{progress.total ? ` of about ${fmtBytes(progress.total)}` : ""}
        </div>
      )}
      <StatusLine status={status} />
    </Section>
  );
}
