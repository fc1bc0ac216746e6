/**
 * What the admin console sends to every open chat page: the maintenance banner (the `control.maintenance`
 * setting, live through `settings_updated`) and system broadcasts, each shown until the person
 * acknowledges it (`system_broadcast` live; the pending ones are asked for at load).
 */
import { useEffect, useState } from "preact/hooks";
import type { BroadcastInfo } from "../../realtime/protocol.ts";
import type { WorkspaceSettings } from "./state.ts";
import { useApp } from "./state.ts";

/** The maintenance text when sending is paused for this person (administrators keep working), else null. */
export function maintenanceBlock(settings: WorkspaceSettings, role: string | undefined): string | null {
  const v = settings.values.value as Record<string, unknown>;
  if (v["control.maintenance"] !== true || role === "admin") return null;
  return String(v["control.maintenance_message"] ?? "Parley is under maintenance.");
}

export function AdminBanners() {
  const { client, settings } = useApp();
  const [pending, setPending] = useState<BroadcastInfo[]>([]);
  useEffect(() => {
    let live = true;
    client.api<{ broadcasts: BroadcastInfo[] }>("GET", "/api/broadcasts/pending")
      .then((r) => live && setPending((p) => merge(p, r.broadcasts)))
      .catch(() => {});
    const off = client.on("system_broadcast", (e) => {
      if (e.type === "system_broadcast") setPending((p) => merge(p, [e.broadcast]));
    });
    return () => {
      live = false;
      off();
    };
  }, [client]);
  const maintenance = maintenanceBlock(settings, client.me.value?.role);
  const ack = (id: number) => {
    client.api("POST", `/api/broadcasts/${id}/ack`).then(() =>
      setPending((p) => p.filter((b) => b.id !== id))
    )
      .catch(() => {});
  };
  return (
    <>
      {maintenance && (
        <div role="alert" aria-label="Maintenance" class="px-4 py-2 bg-danger-bg text-fg text-sm">
          <strong>Maintenance:</strong> {maintenance}
        </div>
      )}
      {pending.map((b) => (
        <section
          key={b.id}
          aria-label="System broadcast"
          class="px-4 py-2 bg-selected text-fg text-sm flex flex-wrap gap-3 items-center border-b border-line"
        >
          <p class="flex-1 min-w-0" role="status">
            <strong>{b.author ?? "Administrator"}:</strong> {b.body}
          </p>
          <button
            type="button"
            class="px-3 py-1 rounded bg-accent text-accent-fg font-semibold"
            onClick={() => ack(b.id)}
          >
            Acknowledge
          </button>
        </section>
      ))}
    </>
  );
}

function merge(a: BroadcastInfo[], b: BroadcastInfo[]): BroadcastInfo[] {
  const ids = new Set(a.map((x) => x.id));
  return [...a, ...b.filter((x) => !ids.has(x.id))].sort((x, y) => x.id - y.id);
}
