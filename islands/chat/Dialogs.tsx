/** Dialogs: new DM or group, create a channel, browse and join, and the Ctrl/Cmd+K quick switcher. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { fmtList, t } from "../../i18n/mod.ts";
import { Avatar, cx, PresenceDot } from "../../components/ui.tsx";
import { Dialog } from "./Dialog.tsx";
import { statusOf, toast, useApp } from "./state.ts";

function useFail() {
  const { ui } = useApp();
  return (e: unknown) => toast(ui, t("app.error", { message: (e as Error).message }), "error");
}

const input = "rounded-md border border-line bg-input text-fg px-2 py-1.5";
const primary = "px-3 py-1.5 rounded-md bg-accent text-accent-fg font-semibold disabled:opacity-50";

export function NewChatDialog({ onClose }: { onClose: () => void }) {
  const { client, navigate } = useApp();
  const fail = useFail();
  const [q, setQ] = useState("");
  const [picked, setPicked] = useState<number[]>([]);
  const me = client.me.value?.id;
  const people = Object.values(client.users.value)
    .filter((u) => u.id !== me)
    .filter((u) =>
      !q || u.displayName.toLowerCase().includes(q.toLowerCase()) || u.username.includes(q.toLowerCase())
    )
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  const start = async () => {
    try {
      const { channel } = picked.length === 1
        ? await client.rest.openDirect(picked[0])
        : await client.rest.openGroup(picked);
      await client.refreshChannels();
      onClose();
      navigate(channel.id);
    } catch (e) {
      fail(e);
    }
  };
  return (
    <Dialog title={t("newChat.title")} onClose={onClose}>
      <div class="flex flex-col gap-3">
        <p class="text-sm text-muted">{t("newChat.pick")}</p>
        <label class="flex flex-col gap-1 text-sm">
          {t("newChat.search")}
          <input
            type="search"
            value={q}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            class={input}
          />
        </label>
        <fieldset>
          <legend class="sr-only">{t("newChat.people")}</legend>
          <ul class="flex flex-col max-h-64 overflow-y-auto">
            {people.map((u) => (
              <li key={u.id}>
                <label class="flex items-center gap-2 px-2 py-1.5 rounded hover:bg-hover text-sm">
                  <input
                    type="checkbox"
                    checked={picked.includes(u.id)}
                    onChange={(e) =>
                      setPicked(
                        (e.target as HTMLInputElement).checked
                          ? [...picked, u.id]
                          : picked.filter((x) => x !== u.id),
                      )}
                  />
                  <Avatar name={u.displayName} id={u.id} size={24} />
                  <span class="flex-1">
                    {u.displayName} <span class="text-muted">@{u.username}</span>
                  </span>
                  <PresenceDot status={statusOf(client, u.id).status} />
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        {picked.length > 0 && (
          <p class="text-sm" aria-live="polite">
            {t("newChat.selected", {
              names: fmtList(picked.map((id) => client.users.value[id]?.displayName ?? "")),
            })}
          </p>
        )}
        <div class="flex justify-end">
          <button type="button" disabled={!picked.length} onClick={start} class={primary}>
            {picked.length > 1 ? t("newChat.startGroup") : t("newChat.startDm")}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

export function CreateChannelDialog({ onClose }: { onClose: () => void }) {
  const { client, navigate } = useApp();
  const fail = useFail();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [kind, setKind] = useState<"public_channel" | "private_channel">("public_channel");
  const [readOnly, setReadOnly] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const { channel } = await client.rest.createChannel({ name, description, kind, readOnly });
      await client.refreshChannels();
      onClose();
      navigate(channel.id);
    } catch (err) {
      fail(err);
    }
  };
  return (
    <Dialog title={t("create.title")} onClose={onClose}>
      <form onSubmit={submit} class="flex flex-col gap-3">
        <label class="flex flex-col gap-1 text-sm">
          {t("create.name")}
          <input
            required
            value={name}
            maxLength={80}
            aria-describedby="create-name-hint"
            onInput={(e) => setName((e.target as HTMLInputElement).value.toLowerCase().replace(/\s+/g, "-"))}
            class={input}
          />
          <span id="create-name-hint" class="text-xs text-muted">{t("create.nameHint")}</span>
        </label>
        <label class="flex flex-col gap-1 text-sm">
          {t("create.description")}
          <input
            value={description}
            maxLength={500}
            onInput={(e) => setDescription((e.target as HTMLInputElement).value)}
            class={input}
          />
        </label>
        <fieldset class="flex flex-col gap-1 text-sm">
          <legend class="mb-1">{t("create.visibility")}</legend>
          <label class="flex gap-2">
            <input
              type="radio"
              name="kind"
              checked={kind === "public_channel"}
              onChange={() => setKind("public_channel")}
            />
            {t("create.public")}
          </label>
          <label class="flex gap-2">
            <input
              type="radio"
              name="kind"
              checked={kind === "private_channel"}
              onChange={() => setKind("private_channel")}
            />
            {t("create.private")}
          </label>
        </fieldset>
        <label class="flex gap-2 text-sm">
          <input
            type="checkbox"
            checked={readOnly}
            onChange={(e) => setReadOnly((e.target as HTMLInputElement).checked)}
          />
          {t("create.readOnly")}
        </label>
        <div class="flex justify-end">
          <button type="submit" disabled={!name} class={primary}>{t("create.submit")}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function BrowseDialog({ onClose }: { onClose: () => void }) {
  const { client, navigate } = useApp();
  const fail = useFail();
  const [q, setQ] = useState("");
  const [list, setList] = useState<ChannelSummary[] | null>(null);
  useEffect(() => {
    const id = setTimeout(() => {
      client.rest.browse(q).then((r) => setList(r.channels)).catch(fail);
    }, 150);
    return () => clearTimeout(id);
  }, [q]);
  const mine = new Set(client.channels.value.map((c) => c.id));
  const join = async (c: ChannelSummary) => {
    try {
      await client.rest.join(c.id);
      await client.refreshChannels();
      onClose();
      navigate(c.id);
    } catch (e) {
      fail(e);
    }
  };
  return (
    <Dialog title={t("browse.title")} onClose={onClose} wide>
      <label class="flex flex-col gap-1 text-sm mb-3">
        {t("browse.search")}
        <input
          type="search"
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          class={input}
        />
      </label>
      {list && list.length === 0 && <p class="text-muted text-sm">{t("browse.none")}</p>}
      <ul class="flex flex-col divide-y divide-line">
        {(list ?? []).map((c) => (
          <li key={c.id} class="flex items-center gap-3 py-2">
            <div class="flex-1 min-w-0">
              <p class="font-semibold">
                {c.displayName}
                {c.readOnly && <span class="text-xs text-muted">({t("sidebar.readOnly")})</span>}
              </p>
              <p class="text-sm text-muted truncate">
                {c.description} · {t("browse.members", { count: c.memberCount })}
              </p>
            </div>
            {mine.has(c.id)
              ? (
                <button
                  type="button"
                  class="px-3 py-1 rounded-md border border-line hover:bg-hover text-sm"
                  onClick={() => (onClose(), navigate(c.id))}
                >
                  {t("browse.open")}
                </button>
              )
              : (
                <button
                  type="button"
                  class={primary}
                  aria-label={`${t("browse.join")} ${c.displayName}`}
                  onClick={() => join(c)}
                >
                  {t("browse.join")}
                </button>
              )}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

export function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const { client, navigate } = useApp();
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const needle = q.trim().toLowerCase().replace(/^#\s*/, "");
  const items = client.channels.value
    .filter((c) => !needle || c.displayName.toLowerCase().replace(/^# /, "").includes(needle))
    .sort((a, b) =>
      (client.counts.value[b.id]?.unread ?? 0) - (client.counts.value[a.id]?.unread ?? 0) ||
      (b.lastMessageAt ?? "").localeCompare(a.lastMessageAt ?? "")
    )
    .slice(0, 10);
  const sel = Math.min(active, items.length - 1);
  const open = (c: ChannelSummary) => {
    onClose();
    navigate(c.id);
  };
  return (
    <Dialog title={t("switcher.title")} onClose={onClose}>
      <input
        ref={ref}
        role="combobox"
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-activedescendant={items[sel] ? `sw-${items[sel].id}` : undefined}
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
            open(items[sel]);
          }
        }}
        class={cx(input, "w-full")}
      />
      <p id="switcher-hint" class="text-xs text-muted mt-1">{t("switcher.hint")}</p>
      <ul id="switcher-list" role="listbox" aria-label={t("sidebar.label")} class="mt-2 flex flex-col">
        {items.length === 0 && (
          <li role="option" aria-selected="false" aria-disabled="true" class="text-sm text-muted px-2">
            {t("switcher.none")}
          </li>
        )}
        {items.map((c, i) => (
          <li
            key={c.id}
            id={`sw-${c.id}`}
            role="option"
            aria-selected={i === sel}
            onClick={() => open(c)}
            class={cx(
              "px-2 py-1.5 rounded cursor-pointer text-sm flex justify-between",
              i === sel ? "bg-selected" : "hover:bg-hover",
            )}
          >
            <span>{c.displayName}</span>
            {(client.counts.value[c.id]?.unread ?? 0) > 0 && (
              <span class="text-xs text-muted">
                {t("sidebar.unread", { count: client.counts.value[c.id].unread })}
              </span>
            )}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
