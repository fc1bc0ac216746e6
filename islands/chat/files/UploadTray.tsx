/** The files waiting in the composer: a progress bar each, cancel/remove, and the reason when refused. */
import { cx, IconX } from "../../../components/ui.tsx";
import { fmtSize, type Uploads } from "./uploads.ts";

export function UploadTray(
  { uploads, discard }: { uploads: Uploads; discard: (id: number) => Promise<unknown> },
) {
  const list = uploads.list.value;
  if (!list.length) return null;
  return (
    <ul aria-label="Files to send" class="flex flex-wrap gap-2 mb-2">
      {list.map((u) => (
        <li
          key={u.key}
          class={cx(
            "flex items-center gap-2 rounded-md border px-2 py-1 text-sm max-w-xs",
            u.state === "error" ? "border-danger bg-danger-bg" : "border-line bg-main",
          )}
        >
          <div class="min-w-0 flex-1">
            <div class="truncate font-medium" title={u.name}>{u.name}</div>
            {u.state === "uploading" && (
              <progress
                class="w-full h-1.5"
                max={100}
                value={Math.round(u.progress * 100)}
                aria-label={`Uploading ${u.name}`}
              />
            )}
            {u.state === "ready" && <div class="text-xs text-muted">{fmtSize(u.file?.size ?? u.size)}</div>}
            {u.state === "error" && <div role="alert" class="text-xs text-danger">{u.error}</div>}
          </div>
          <button
            type="button"
            class="p-1 rounded text-muted hover:text-fg hover:bg-hover"
            aria-label={u.state === "uploading" ? `Cancel upload of ${u.name}` : `Remove ${u.name}`}
            onClick={() => uploads.remove(u.key, discard)}
          >
            <IconX width="14" height="14" />
          </button>
        </li>
      ))}
    </ul>
  );
}
