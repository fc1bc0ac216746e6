/**
 * The Ctrl/Cmd+K quick switcher: conversations and people in one list. Picking a person opens (or reuses)
 * the direct message with them.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import type { UserInfo } from "../../realtime/client.ts";
import { t } from "../../i18n/mod.ts";
import { cx } from "../../components/ui.tsx";
import { Dialog } from "./Dialog.tsx";
import { useApp } from "./state.ts";
import { input, useInlineError } from "./Dialogs.tsx";

type Item = { kind: "conv"; c: ChannelSummary } | { kind: "person"; u: UserInfo };

export function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const { client, navigate } = useApp();
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const [error, fail] = useInlineError();
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const needle = q.trim().toLowerCase().replace(/^[#@]\s*/, "");
  const me = client.me.value?.id;
  const convs: Item[] = client.channels.value
    .filter((c) => !needle || c.displayName.toLowerCase().replace(/^# /, "").includes(needle))
    .sort((a, b) =>
      (client.counts.value[b.id]?.unread ?? 0) - (client.counts.value[a.id]?.unread ?? 0) ||
      (b.lastMessageAt ?? "").localeCompare(a.lastMessageAt ?? "")
    )
    .slice(0, 8)
    .map((c) => ({ kind: "conv", c }));
  // People you have no DM with yet (a DM with them is already in the conversations).
  const withDm = new Set(
    client.channels.value.filter((c) => c.kind === "direct_message").flatMap((c) =>
      (c.members ?? []).map((m) => m.id)
    ),
  );
  const people: Item[] = needle
    ? Object.values(client.users.value)
      .filter((u) => u.id !== me && !withDm.has(u.id))
      .filter((u) =>
        u.displayName.toLowerCase().includes(needle) || u.username.toLowerCase().includes(needle)
      )
      .sort((a, b) => a.displayName.localeCompare(b.displayName))
      .slice(0, 6)
      .map((u) => ({ kind: "person", u }))
    : [];
  const items = [...convs, ...people];
  const sel = Math.min(active, items.length - 1);
  const open = async (it: Item) => {
    try {
      const id = it.kind === "conv" ? it.c.id : (await client.rest.openDirect(it.u.id)).channel.id;
      if (it.kind === "person") await client.refreshChannels();
      onClose();
      navigate(id);
    } catch (e) {
      fail(e);
    }
  };
  const key = (it: Item) => it.kind === "conv" ? `sw-c${it.c.id}` : `sw-u${it.u.id}`;
  return (
    <Dialog title={t("switcher.title")} onClose={onClose}>
      <input
        ref={ref}
        role="combobox"
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-activedescendant={items[sel] ? key(items[sel]) : undefined}
        aria-label={t("switcher.input")}
        aria-describedby="switcher-hint"
        value={q}
        onInput={(e) => {
          setQ((e.target as HTMLInputElement).value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            setActive((sel + (e.key === "ArrowDown" ? 1 : items.length - 1)) % Math.max(1, items.length));
          } else if (e.key === "Enter" && items[sel]) {
            e.preventDefault();
            void open(items[sel]);
          }
        }}
        class={cx(input, "w-full")}
      />
      <p id="switcher-hint" class="text-xs text-muted mt-1">{t("switcher.hint")}</p>
      {error}
      <ul id="switcher-list" role="listbox" aria-label={t("switcher.results")} class="mt-2 flex flex-col">
        {items.length === 0 && (
          <li role="option" aria-selected="false" aria-disabled="true" class="text-sm text-muted px-2">
            {t("switcher.none")}
          </li>
        )}
        {items.map((it, i) => (
          <li
            key={key(it)}
            id={key(it)}
            role="option"
            aria-selected={i === sel}
            onClick={() => void open(it)}
            class={cx(
              "px-2 py-1.5 rounded cursor-pointer text-sm flex justify-between gap-2",
              i === sel ? "bg-selected" : "hover:bg-hover",
            )}
          >
            {it.kind === "conv"
              ? (
                <>
                  <span>{it.c.displayName}</span>
                  {(client.counts.value[it.c.id]?.unread ?? 0) > 0 && (
                    <span class="text-xs text-muted">
                      {t("sidebar.unread", { count: client.counts.value[it.c.id].unread })}
                    </span>
                  )}
                </>
              )
              : (
                <>
                  <span>
                    {it.u.displayName} <span class="text-muted">@{it.u.username}</span>
                  </span>
                  <span class="text-xs text-muted">{t("switcher.person")}</span>
                </>
              )}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
