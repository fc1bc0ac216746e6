/**
 * The per-conversation notification level in the conversation header: a menu button ("Notification
 * level") with three radio items, All messages / Mentions only / Nothing (mute); the default of the
 * conversation's kind is marked. Keyboard: arrows move, Enter/Space pick, Escape closes.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import type { NotifyLevel } from "../../realtime/client/rest.ts";
import { t } from "../../i18n/mod.ts";
import { levelOf } from "./notify_state.ts";
import { toast, useApp } from "./state.ts";

const LEVELS: NotifyLevel[] = ["all", "mentions", "mute"];

export function LevelMenu({ channel }: { channel: ChannelSummary }) {
  const { client, ui } = useApp();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const level = levelOf(ui.notify, channel);
  const d = ui.notify.defaults.value;
  const def = channel.kind === "direct_message" ? d.dm : channel.kind === "group" ? d.group : d.channel;
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[aria-checked="true"]')?.focus();
    const away = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, [open]);
  const pick = async (l: NotifyLevel) => {
    setOpen(false);
    button.current?.focus();
    const before = ui.notify.levels.value;
    ui.notify.levels.value = { ...before, [channel.id]: l };
    try {
      await client.rest.setLevel(channel.id, l === def ? null : l);
      if (l === def) {
        const { [channel.id]: _, ...rest } = ui.notify.levels.value;
        ui.notify.levels.value = rest;
      }
      toast(ui, t("level.saved", { level: t(`level.${l}`) }));
    } catch (e) {
      ui.notify.levels.value = before;
      toast(ui, t("app.error", { message: (e as Error).message }), "error");
    }
  };
  const onKey = (e: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
    } else if (e.key === "Tab") setOpen(false);
  };
  return (
    <div class="relative">
      <button
        ref={button}
        type="button"
        aria-label={t("level.menu")}
        aria-haspopup="menu"
        aria-expanded={open}
        title={`${t("level.menu")}: ${t(`level.${level}`)}`}
        onClick={() => setOpen(!open)}
        class="p-1.5 rounded-md text-muted hover:bg-hover hover:text-fg"
      >
        <span aria-hidden="true" class="emoji">{level === "mute" ? "🔕" : level === "all" ? "🔔" : "@"}</span>
      </button>
      {open && (
        <div
          ref={menu}
          role="menu"
          aria-label={t("level.menu")}
          onKeyDown={onKey}
          class="absolute right-0 top-full mt-1 z-20 min-w-[12rem] rounded-md border border-line bg-main shadow-lg py-1"
        >
          {LEVELS.map((l) => (
            <button
              key={l}
              type="button"
              role="menuitemradio"
              aria-checked={level === l}
              tabIndex={-1}
              onClick={() => void pick(l)}
              class="w-full text-left px-3 py-1.5 text-sm text-fg hover:bg-hover focus:bg-hover flex gap-2"
            >
              <span aria-hidden="true" class="w-4">{level === l ? "✓" : ""}</span>
              {l === def ? t("level.default", { level: t(`level.${l}`) }) : t(`level.${l}`)}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
