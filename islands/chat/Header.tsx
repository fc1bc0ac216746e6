/**
 * The top bar: logo, the search over people and conversations, "+ Chat", settings, and the account menu
 * (status, away message, settings, sign out) on every screen size.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { Avatar, cx, IconGear, IconSearch, PresenceDot } from "../../components/ui.tsx";
import { statusOf, toast, useApp } from "./state.ts";
import { SearchBox } from "./search/SearchBox.tsx";

export function Header() {
  const { ui } = useApp();
  return (
    <header class="flex items-center gap-2 md:gap-3 px-3 py-2 bg-sidebar border-b border-line">
      <a
        href="/chat"
        aria-label={t("app.home")}
        class="font-extrabold text-lg text-fg mr-1 md:mr-3 flex items-center gap-1.5"
      >
        <span aria-hidden="true" class="emoji">💬</span>
        <span class="hidden sm:inline">{t("app.name")}</span>
      </a>
      <div class="relative flex-1 max-w-xl">
        <span class="absolute left-2 top-1/2 -translate-y-1/2 text-muted">
          <IconSearch width="16" height="16" />
        </span>
        <input
          type="search"
          aria-label={t("header.search")}
          placeholder={t("header.searchPlaceholder")}
          value={ui.filter.value}
          onInput={(e) => {
            ui.filter.value = (e.target as HTMLInputElement).value;
            ui.mobileView.value = "list";
          }}
          class="w-full rounded-md border border-line bg-input text-fg pl-8 pr-2 py-1.5 text-sm"
        />
      </div>
      <SearchBox />
      <button
        type="button"
        title={t("header.newChatLabel")}
        onClick={() => (ui.dialog.value = { kind: "newChat" })}
        class="px-2.5 py-1.5 rounded-md bg-accent text-accent-fg text-sm font-semibold whitespace-nowrap"
      >
        {t("header.newChat")}
      </button>
      <a
        href="/calls/history"
        title={t("calls.history.title")}
        class="px-2 py-1.5 rounded-md text-sm text-fg hover:bg-hover whitespace-nowrap"
      >
        {t("calls.history.link")}
      </a>
      <button
        type="button"
        aria-label={t("header.settings")}
        title={t("header.settings")}
        onClick={() => (ui.dialog.value = { kind: "settings" })}
        class="p-1.5 rounded-md text-fg hover:bg-hover"
      >
        <IconGear />
      </button>
      <AccountMenu />
    </header>
  );
}

function AccountMenu() {
  const { client, ui } = useApp();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const me = client.me.value;
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => !root.current?.contains(e.target as Node) && setOpen(false);
    addEventListener("mousedown", away);
    root.current?.querySelector<HTMLElement>("[role=menuitemradio],[role=menuitem]")?.focus();
    return () => removeEventListener("mousedown", away);
  }, [open]);
  if (!me) return null;
  const st = statusOf(client, me.id);
  const close = () => {
    setOpen(false);
    root.current?.querySelector<HTMLElement>("button")?.focus();
  };
  const setStatus = (status: "online" | "away" | "busy") => {
    close();
    client.setPresence({ status }).catch((e) => toast(ui, t("app.error", { message: e.message }), "error"));
  };
  const onKey = (e: KeyboardEvent) => {
    const items = [...root.current!.querySelectorAll<HTMLElement>("[role^=menuitem]")];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    }
  };
  const item = "w-full text-left px-3 py-1.5 text-sm hover:bg-hover focus:bg-hover flex items-center gap-2";
  const openSettings = () => {
    close();
    ui.dialog.value = { kind: "settings" };
  };
  return (
    <div ref={root} class="relative pl-1 md:pl-2 md:border-l border-line" onKeyDown={onKey}>
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        class="flex items-center gap-2 rounded-md p-0.5 hover:bg-hover"
      >
        {/* The dot sits beside the avatar's corner, never over its initials. */}
        <span class="relative pr-1.5 pb-1">
          <Avatar name={me.displayName} id={me.id} size={28} />
          <span aria-hidden="true" class="absolute bottom-0 right-0 leading-none">
            <PresenceDot status={st.status} />
          </span>
        </span>
        {/* Named by its content (the visible name is part of it); the name is visible from md up. */}
        <span class="sr-only">{t("account.menu", { name: "" }).trim()}</span>{" "}
        <span class="sr-only md:not-sr-only md:inline text-sm text-fg max-w-[10rem] truncate">
          {me.displayName}
        </span>
      </button>
      {open && (
        <div
          role="menu"
          aria-label={t("account.title")}
          class="absolute right-0 top-full mt-1 z-40 w-60 rounded-lg border border-line bg-main shadow-xl py-1"
        >
          <p class="px-3 py-1.5 text-xs text-muted">{t("header.you", { name: me.displayName })}</p>
          {(["online", "away", "busy"] as const).map((s) => (
            <button
              key={s}
              type="button"
              role="menuitemradio"
              aria-checked={me.status === s || (s === "online" && me.status === "offline")}
              tabIndex={-1}
              onClick={() => setStatus(s)}
              class={item}
            >
              <PresenceDot status={s} /> {t(`presence.${s}`)}
            </button>
          ))}
          <div role="separator" class="my-1 border-t border-line" />
          <MenuItem class={item} onClick={openSettings}>{t("account.statusMessage")}</MenuItem>
          <MenuItem class={item} onClick={openSettings}>{t("header.settings")}</MenuItem>
          <MenuItem
            class={cx(item, "text-danger")}
            onClick={async () => {
              await client.rest.logout().catch(() => {});
              location.assign("/login");
            }}
          >
            {t("header.logout")}
          </MenuItem>
        </div>
      )}
    </div>
  );
}

/** One item of the account menu (reached with the arrow keys, so out of the Tab order). */
function MenuItem({ class: cls, onClick, children }: {
  class: string;
  onClick: () => void;
  children: ComponentChildren;
}) {
  return (
    <button type="button" role="menuitem" tabIndex={-1} class={cls} onClick={onClick}>
      {children}
    </button>
  );
}
