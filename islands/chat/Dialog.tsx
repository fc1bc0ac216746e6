/** A modal dialog on the native <dialog> element: focus is kept inside, Esc closes, the title labels it. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { cx, IconX } from "../../components/ui.tsx";

let seq = 0;

export function Dialog({ title, onClose, children, wide, class: extra }: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  class?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(`dlg-${++seq}`).current;
  useEffect(() => {
    const d = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    return () => {
      if (d.open) d.close();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={id}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
      class={cx(
        "p-0 rounded-xl border border-line bg-main text-fg shadow-2xl w-[calc(100%-2rem)] max-h-[90vh]",
        wide ? "max-w-2xl" : "max-w-md",
        extra,
      )}
    >
      <div class="flex items-center justify-between gap-2 px-5 py-3 border-b border-line">
        <h2 id={id} class="text-lg font-semibold">{title}</h2>
        <button
          type="button"
          onClick={onClose}
          aria-label={t("dialog.close")}
          class="p-1.5 rounded-md hover:bg-hover"
        >
          <IconX />
        </button>
      </div>
      <div class="px-5 py-4 overflow-y-auto max-h-[calc(90vh-4rem)]">{children}</div>
    </dialog>
  );
}

/** Parley's own confirmation (instead of the browser's `confirm()`): the destructive button is named. */
export function ConfirmDialog({ title, text, confirm, onConfirm, onCancel }: {
  title: string;
  text: string;
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog title={title} onClose={onCancel}>
      <p class="mb-4">{text}</p>
      <div class="flex justify-end gap-2">
        <button
          type="button"
          onClick={onCancel}
          class="px-3 py-1.5 rounded-md border border-line hover:bg-hover"
        >
          {t("dialog.cancel")}
        </button>
        <button
          type="button"
          onClick={onConfirm}
          class="px-3 py-1.5 rounded-md border border-danger bg-danger-bg text-fg font-semibold"
        >
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}
