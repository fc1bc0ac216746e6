/**
 * The sidebar in the three sections the seed draws: Direct Messages (the other person, presence dot, status
 * text), Channels (`# name`, lock when private, read-only marked) and Groups (smart name, member count with
 * the names as tooltip). Unread conversations are bold with a count; mentions get a badge. A muted
 * conversation is marked and shows only a dot when something is unread (like Slack); a moon marks a DM
 * partner in do not disturb.
 */
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { fmtNumber, t } from "../../i18n/mod.ts";
import { Badge, cx, IconLock, IconPlus, IconSearch, PresenceDot } from "../../components/ui.tsx";
import { statusOf, toast, useApp, useFollowPresence } from "./state.ts";
import { levelOf } from "./notify_state.ts";
import { Moon } from "../../components/ui.tsx";

function byActivity(a: ChannelSummary, b: ChannelSummary) {
  return (b.lastMessageAt ?? "").localeCompare(a.lastMessageAt ?? "") ||
    a.displayName.localeCompare(b.displayName);
}

export function Sidebar() {
  const { client, ui } = useApp();
  const q = ui.filter.value.trim().toLowerCase();
  const all = client.channels.value.filter((c) => !q || c.displayName.toLowerCase().includes(q));
  const dms = all.filter((c) => c.kind === "direct_message").sort(byActivity);
  const chans = all.filter((c) => c.kind === "public_channel" || c.kind === "private_channel")
    .sort((a, b) => a.name.localeCompare(b.name));
  const groups = all.filter((c) => c.kind === "group").sort(byActivity);
  return (
    <nav
      aria-label={t("sidebar.label")}
      data-conversations
      class="flex flex-col gap-4 py-3 overflow-y-auto h-full"
    >
      {q && <SearchNote q={ui.filter.value.trim()} found={all.length} />}
      {q && <People q={q} />}
      <Section id="dms" title={t("sidebar.dms")} items={dms}>
        <SectionAction
          label={t("header.newChatLabel")}
          onClick={() => (ui.dialog.value = { kind: "newChat" })}
          icon="plus"
        />
      </Section>
      <Section id="channels" title={t("sidebar.channels")} items={chans}>
        <SectionAction
          label={t("sidebar.browse")}
          onClick={() => (ui.dialog.value = { kind: "browse" })}
          icon="search"
        />
        {client.me.value?.permissions.includes("chat.create_channels") && (
          <SectionAction
            label={t("sidebar.create")}
            onClick={() => (ui.dialog.value = { kind: "create" })}
            icon="plus"
          />
        )}
      </Section>
      <Section id="groups" title={t("sidebar.groups")} items={groups}>
        <SectionAction
          label={t("newChat.startGroup")}
          onClick={() => (ui.dialog.value = { kind: "newChat" })}
          icon="plus"
        />
      </Section>
    </nav>
  );
}

function SectionAction(
  { label, onClick, icon }: { label: string; onClick: () => void; icon: "plus" | "search" },
) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={onClick}
      class="p-1 rounded text-muted hover:bg-hover hover:text-fg"
    >
      {icon === "plus" ? <IconPlus width="16" height="16" /> : <IconSearch width="16" height="16" />}
    </button>
  );
}

function Section({ id, title, items, children }: {
  id: string;
  title: string;
  items: ChannelSummary[];
  children?: preact.ComponentChildren;
}) {
  return (
    <section aria-labelledby={`sec-${id}`}>
      <div class="flex items-center justify-between px-4 mb-1">
        <h2 id={`sec-${id}`} class="text-xs font-bold uppercase tracking-wide text-muted">{title}</h2>
        <div class="flex gap-0.5">{children}</div>
      </div>
      {items.length === 0
        ? <p class="px-4 text-sm text-muted">{t("sidebar.none")}</p>
        : (
          <ul class="flex flex-col">
            {items.map((c) => <Item key={c.id} c={c} />)}
          </ul>
        )}
    </section>
  );
}

function Item({ c }: { c: ChannelSummary }) {
  const { client, ui, navigate } = useApp();
  const counts = client.counts.value[c.id];
  const unread = ui.channelId.value === c.id ? 0 : counts?.unread ?? 0;
  const mentions = ui.channelId.value === c.id ? 0 : counts?.mentions ?? 0;
  const active = ui.channelId.value === c.id;
  const muted = levelOf(ui.notify, c) === "mute";
  const me = client.me.value?.id;
  const other = c.kind === "direct_message" ? c.members?.find((m) => m.id !== me) : undefined;
  const st = other ? statusOf(client, other.id) : null;
  const names = (c.members ?? []).map((m) => m.displayName).join(", ");
  const label = c.kind === "public_channel" || c.kind === "private_channel"
    ? c.displayName.replace(/^# /, "")
    : c.displayName;
  return (
    <li>
      <a
        href={`/chat/${c.id}`}
        data-channel-id={c.id}
        aria-current={active ? "page" : undefined}
        onClick={(e) => {
          if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          navigate(c.id);
        }}
        class={cx(
          "group flex items-center gap-2 mx-2 px-2 py-1.5 rounded-md text-sm",
          active ? "bg-selected text-fg" : "hover:bg-hover",
          unread > 0 && !muted ? "font-bold text-fg" : muted ? "text-muted" : "text-fg",
        )}
      >
        {c.kind === "direct_message" && <PresenceDot status={st?.status ?? "offline"} />}
        {other && ui.notify.dndUsers.value.has(other.id) && <Moon label={t("presence.dnd")} />}
        {(c.kind === "public_channel" || c.kind === "private_channel") && (
          <span aria-hidden="true" class="w-4 text-center text-muted">#</span>
        )}
        {c.kind === "group" && <span aria-hidden="true" class="w-4 text-center emoji">👥</span>}
        <span class="flex-1 min-w-0">
          <span class="flex items-center gap-1">
            <span class="truncate">{label}</span>
            {c.kind === "private_channel" && (
              <span
                role="img"
                aria-label={t("sidebar.private")}
                title={t("sidebar.private")}
                class="text-muted"
              >
                <IconLock width="13" height="13" />
              </span>
            )}
            {c.readOnly && (
              <span class="text-xs font-normal text-muted whitespace-nowrap">({t("sidebar.readOnly")})</span>
            )}
            {c.archived && <span class="text-xs font-normal text-muted">({t("sidebar.archived")})</span>}
          </span>
          {st?.text && <span class="block truncate text-xs font-normal text-muted">“{st.text}”</span>}
        </span>
        {c.kind === "group" && (
          <span title={names} class="text-xs font-normal text-muted">
            <span aria-hidden="true">{fmtNumber(c.memberCount)}</span>
            <span class="sr-only">{t("sidebar.members", { count: c.memberCount })}</span>
          </span>
        )}
        {muted && (
          <span role="img" aria-label={t("sidebar.muted")} title={t("sidebar.muted")} class="emoji text-xs">
            🔕
          </span>
        )}
        {muted && (unread > 0 || mentions > 0) && (
          <span
            role="img"
            aria-label={t("sidebar.mutedUnread")}
            data-muted-dot
            style="background:var(--p-muted)"
            class="w-2 h-2 rounded-full shrink-0"
          />
        )}
        {!muted && mentions > 0 && (
          <Badge label={t("sidebar.mentions", { count: mentions })}>@{fmtNumber(mentions)}</Badge>
        )}
        {!muted && unread > 0 && mentions === 0 && (
          <Badge tone="muted" label={t("sidebar.unread", { count: unread })}>{fmtNumber(unread)}</Badge>
        )}
      </a>
    </li>
  );
}

/** Says what the header search looked through (message search is not there yet). */
function SearchNote({ q, found }: { q: string; found: number }) {
  return (
    <p role="status" class="px-4 text-sm text-muted">
      {found ? t("search.searched", { q }) : t("sidebar.noMatch", { q })}
    </p>
  );
}

/** People matching the header search; picking one opens (or reuses) the DM with them. */
function People({ q }: { q: string }) {
  const { client, navigate, ui } = useApp();
  const me = client.me.value?.id;
  const people = Object.values(client.users.value)
    .filter((u) => u.id !== me)
    .filter((u) => u.displayName.toLowerCase().includes(q) || u.username.toLowerCase().includes(q))
    .sort((a, b) => a.displayName.localeCompare(b.displayName))
    .slice(0, 8);
  useFollowPresence(client, people.map((u) => u.id));
  const open = async (userId: number) => {
    try {
      const { channel } = await client.rest.openDirect(userId);
      await client.refreshChannels();
      ui.filter.value = "";
      navigate(channel.id);
    } catch (e) {
      toast(ui, t("app.error", { message: (e as Error).message }), "error");
    }
  };
  return (
    <section aria-labelledby="sec-people">
      <h2 id="sec-people" class="px-4 mb-1 text-xs font-bold uppercase tracking-wide text-muted">
        {t("search.people")}
      </h2>
      {people.length === 0
        ? <p class="px-4 text-sm text-muted">{t("search.noPeople")}</p>
        : (
          <ul class="flex flex-col">
            {people.map((u) => (
              <li key={u.id}>
                <button
                  type="button"
                  onClick={() => open(u.id)}
                  class="w-[calc(100%-1rem)] flex items-center gap-2 mx-2 px-2 py-1.5 rounded-md text-sm hover:bg-hover text-left"
                >
                  <PresenceDot status={statusOf(client, u.id).status} />
                  <span class="flex-1 truncate">{u.displayName}</span>
                  <span class="text-xs text-muted">@{u.username}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}
