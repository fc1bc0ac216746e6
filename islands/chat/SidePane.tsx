/**
 * The pane beside the open conversation (a thread, the conversation's files): a titled, labelled region
 * with a close button, full screen on a phone.
 */
import type { ComponentChildren } from "preact";
import { cx } from "../../components/ui.tsx";

export function SidePane({ id, title, subtitle, closeLabel, onClose, children }: {
  /** The heading's id, which names the region. */
  id: string;
  title: string;
  subtitle: string;
  closeLabel: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  return (
    <aside
      aria-labelledby={id}
      class={cx(
        "flex flex-col bg-main border-l border-line min-w-0",
        "fixed inset-0 z-30 md:static md:z-auto md:w-96 md:shrink-0",
      )}
    >
      <header class="flex items-center justify-between px-4 py-2 border-b border-line min-h-[3.25rem]">
        <div>
          <h2 id={id} class="font-bold">{title}</h2>
          <p class="text-xs text-muted">{subtitle}</p>
        </div>
        <button type="button" onClick={onClose} aria-label={closeLabel} class="p-1.5 rounded hover:bg-hover">
          ✕
        </button>
      </header>
      {children}
    </aside>
  );
}
