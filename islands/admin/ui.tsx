/** Small pieces the console's tabs share: buttons, fields, the status line. */
import type { ComponentChildren } from "preact";
import { cx } from "../../components/ui.tsx";

export const btn =
  "px-3 py-1.5 rounded border border-line bg-input hover:bg-hover text-sm disabled:opacity-50";
export const primary =
  "px-3 py-1.5 rounded bg-accent text-accent-fg text-sm font-semibold disabled:opacity-50";
export const danger =
  "px-3 py-1.5 rounded border border-danger bg-danger-bg text-fg text-sm font-semibold disabled:opacity-50";
export const input = "px-2 py-1.5 rounded border border-line bg-input text-fg text-sm";
export const th = "text-left font-semibold px-2 py-1.5 border-b border-line";
export const td = "px-2 py-1.5 border-b border-line align-top";

export function Field(
  { label, children, hint }: { label: string; children: ComponentChildren; hint?: string },
) {
  return (
    <label class="flex flex-col gap-1 text-sm">
      <span class="font-semibold">{label}</span>
      {children}
      {hint && <span class="text-muted text-xs">{hint}</span>}
    </label>
  );
}

export function Section(
  { title, children, class: klass }: { title: string; children: ComponentChildren; class?: string },
) {
  return (
    <section aria-label={title} class={cx("rounded-lg border border-line p-4 mb-4", klass)}>
      <h2 class="text-lg font-bold mb-3">{title}</h2>
      {children}
    </section>
  );
}

/** The polite live region every tab reports outcomes in (errors are assertive). */
export function StatusLine({ status }: { status: { text: string; error?: boolean } | null }) {
  return (
    <div class="min-h-6 text-sm my-2">
      <p role="status" class={status && !status.error ? "text-fg" : "sr-only"}>
        {status && !status.error ? status.text : ""}
      </p>
      <p role="alert" class="text-danger">{status?.error ? status.text : ""}</p>
    </div>
  );
}
