/** Dialogs: new DM or group, create a channel, browse and join, and the Ctrl/Cmd+K quick switcher. */
import { useEffect, useState } from "preact/hooks";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { fmtList, t } from "../../i18n/mod.ts";
import { Avatar, PresenceDot } from "../../components/ui.tsx";
import { Dialog } from "./Dialog.tsx";
import { statusOf, useApp, useFollowPresence } from "./state.ts";

/** Errors shown inside the dialog (a toast would sit behind its backdrop). */
export function useInlineError(): [preact.JSX.Element | null, (e: unknown) => void, () => void] {
  const [msg, setMsg] = useState<string | null>(null);
  const el = msg
    ? <p role="alert" class="text-sm text-danger border border-danger rounded-md px-2 py-1.5">{msg}</p>
    : null;
  return [el, (e: unknown) => setMsg((e as Error)?.message ?? String(e)), () => setMsg(null)];
}

export const input = "rounded-md border border-line bg-input text-fg px-2 py-1.5";
export const primary = "px-3 py-1.5 rounded-md bg-accent text-accent-fg font-semibold disabled:opacity-50";

export function NewChatDialog({ onClose }: { onClose: () => void }) {
  const { client, navigate } = useApp();
  const [error, fail] = useInlineError();
  const [q, setQ] = useState("");
  const [picked, setPicked] = useState<number[]>([]);
  const me = client.me.value?.id;
  const people = Object.values(client.users.value)
    .filter((u) => u.id !== me)
    .filter((u) =>
      !q || u.displayName.toLowerCase().includes(q.toLowerCase()) || u.username.includes(q.toLowerCase())
    )
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  useFollowPresence(client, people.map((u) => u.id));
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
        {error}
        <div class="flex justify-end">
          <button type="button" disabled={!picked.length} onClick={start} class={primary}>
            {picked.length > 1 ? t("newChat.startGroup") : t("newChat.startDm")}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

export function BrowseDialog({ onClose }: { onClose: () => void }) {
  const { client, navigate } = useApp();
  const [error, fail] = useInlineError();
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
      {error}
      {list && list.length === 0 && <p class="text-muted text-sm">{t("browse.none")}</p>}
      <ul class="flex flex-col divide-y divide-line">
        {(list ?? []).map((c) => (
          <li key={c.id} class="flex items-center gap-3 py-2">
            <div class="flex-1 min-w-0">
              <p class="font-semibold flex items-baseline gap-1.5 min-w-0">
                <span class="truncate">{c.displayName}</span>
                {c.readOnly && (
                  <span class="text-xs font-normal text-muted whitespace-nowrap">
                    ({t("sidebar.readOnly")})
                  </span>
                )}
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
