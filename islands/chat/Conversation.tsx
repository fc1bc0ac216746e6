/** The open conversation: its header (name, presence or member badge, settings), the log, typing, composer. */
import { useEffect } from "preact/hooks";
import type { ChannelSummary, Message } from "../../realtime/protocol.ts";
import { fmtList, fmtNumber, t } from "../../i18n/mod.ts";
import { cx, IconBack, IconFiles, IconGear, IconLock, PresenceDot } from "../../components/ui.tsx";
import { MessageList } from "./MessageList.tsx";
import { MessageItem, OutboxRow } from "./MessageItem.tsx";
import { Composer } from "./Composer.tsx";
import { SidePane } from "./SidePane.tsx";
import { statusOf, toast, useApp } from "./state.ts";
import { CallButtons } from "../calls/CallButtons.tsx";
import { LevelMenu } from "./LevelMenu.tsx";

export function Typing({ channelId }: { channelId: number }) {
  const { client, userName } = useApp();
  const ids = client.typing.value[channelId] ?? [];
  const names = ids.map((id) => userName(id).split(" ")[0]);
  const text = names.length === 0
    ? ""
    : names.length === 1
    ? t("typing.one", { a: names[0] })
    : names.length === 2
    ? t("typing.two", { a: names[0], b: names[1] })
    : t("typing.many");
  return (
    <div aria-live="polite" class="px-4 h-5 text-xs text-muted italic truncate">
      {text}
    </div>
  );
}

/**
 * The workspace's monitoring notice (setting `monitor.notice`), under every conversation's header: Monitor
 * can read any conversation, so people are told in each one. Updated live with the settings.
 */
function MonitorNotice() {
  const { settings } = useApp();
  const v = settings.values.value;
  if (!v["monitor.notice"]) return null;
  return (
    <p role="note" aria-label={t("conv.monitored")} class="px-4 py-1 text-xs text-muted border-b border-line">
      <span aria-hidden="true" class="mr-1">👁</span>
      {v["monitor.notice_text"]}
    </p>
  );
}

export function Conversation({ channel }: { channel: ChannelSummary }) {
  const { client, ui } = useApp();
  const me = client.me.value?.id;

  useEffect(() => {
    const jump = ui.jumpTo.value;
    const st = client.chat.value[channel.id];
    const fail = () => toast(ui, t("conv.messageNotFound"), "error");
    if (jump !== null && !st?.messages.some((m) => m.id === jump)) {
      client.loadAround(channel.id, jump).catch(fail);
    } else if (!st) {
      client.loadLatest(channel.id).catch((e) => toast(ui, t("app.error", { message: e.message }), "error"));
    }
  }, [channel.id]);

  const other = channel.kind === "direct_message" ? channel.members?.find((m) => m.id !== me) : undefined;
  const st = other ? statusOf(client, other.id) : null;
  const isChannel = channel.kind === "public_channel" || channel.kind === "private_channel";
  const names = fmtList((channel.members ?? []).map((m) => m.displayName));
  return (
    <section aria-labelledby="conv-title" class="flex flex-col h-full min-w-0 bg-main">
      <header class="flex items-center gap-2 px-4 py-2 border-b border-line min-h-[3.25rem]">
        <button
          type="button"
          class="md:hidden p-1 -ml-1 rounded hover:bg-hover"
          aria-label={t("conv.back")}
          onClick={() => (ui.mobileView.value = "list")}
        >
          <IconBack />
        </button>
        {other && <PresenceDot status={st!.status} size="md" />}
        <div class="min-w-0 flex-1">
          <h1 id="conv-title" class="font-bold text-fg truncate flex items-center gap-1">
            {channel.displayName}
            {channel.kind === "private_channel" && (
              <span role="img" aria-label={t("sidebar.private")} class="text-muted">
                <IconLock width="14" height="14" />
              </span>
            )}
            {channel.readOnly && <span class="text-xs font-normal text-muted">({t("sidebar.readOnly")})
            </span>}
          </h1>
          {(st?.text || st?.away || (isChannel && channel.description)) && (
            <p class="text-xs text-muted truncate">
              {other
                ? [st!.text, st!.status === "away" ? st!.away : ""].filter(Boolean).join(" · ")
                : channel.description}
            </p>
          )}
        </div>
        {channel.kind === "group" && (
          <span title={names} class="text-sm text-muted px-2 py-0.5 rounded-full border border-line">
            <span aria-hidden="true">👥{fmtNumber(channel.memberCount)}</span>
            <span class="sr-only">{t("conv.members", { names })}</span>
          </span>
        )}
        <CallButtons channel={channel} />
        <LevelMenu channel={channel} />
        <button
          type="button"
          aria-label={t("files.open")}
          title={t("files.open")}
          aria-pressed={ui.filesOpen.value}
          onClick={() => {
            ui.filesOpen.value = !ui.filesOpen.value;
            if (ui.filesOpen.value) ui.threadId.value = null;
          }}
          class={cx(
            "p-1.5 rounded text-muted hover:bg-hover hover:text-fg",
            ui.filesOpen.value && "bg-hover text-fg",
          )}
        >
          <IconFiles />
        </button>
        {channel.kind !== "direct_message" && (
          <button
            type="button"
            aria-label={t("conv.channelSettings")}
            title={t("conv.channelSettings")}
            onClick={() => (ui.dialog.value = { kind: "channel", channelId: channel.id })}
            class="p-1.5 rounded text-muted hover:bg-hover hover:text-fg"
          >
            <IconGear />
          </button>
        )}
      </header>
      <MonitorNotice />
      <MessageList key={channel.id} channel={channel} />
      <Typing channelId={channel.id} />
      <Composer key={channel.id} channel={channel} />
    </section>
  );
}

export function ThreadPane({ channel, parentId }: { channel: ChannelSummary; parentId: number }) {
  const { client, ui } = useApp();
  useEffect(() => {
    client.loadThread(parentId).catch((e) => toast(ui, t("app.error", { message: e.message }), "error"));
  }, [parentId]);
  const msgs = client.chat.value[channel.id]?.messages ?? [];
  const parent = msgs.find((m) => m.id === parentId);
  const replies = msgs.filter((m) => m.replyTo === parentId);
  const outbox = client.outbox.value.filter((o) => o.replyTo === parentId);
  return (
    <SidePane
      id="thread-title"
      title={t("thread.title")}
      subtitle={channel.displayName}
      closeLabel={t("thread.close")}
      onClose={() => (ui.threadId.value = null)}
    >
      <div
        role="log"
        aria-live="polite"
        aria-label={t("thread.label")}
        tabIndex={0}
        class="flex-1 overflow-y-auto py-2"
      >
        {parent && <ThreadMessages channel={channel} parent={parent} replies={replies} />}
        {outbox.map((o) => <OutboxLine key={o.clientId} clientId={o.clientId} />)}
      </div>
      <Composer key={`t${parentId}`} channel={channel} replyTo={parentId} />
    </SidePane>
  );
}

function ThreadMessages(
  { channel, parent, replies }: { channel: ChannelSummary; parent: Message; replies: Message[] },
) {
  return (
    <>
      <MessageItem m={parent} first channel={channel} inThread />
      <div class="flex items-center gap-3 px-4 my-2">
        <span class="text-xs text-muted">{t("msg.replies", { count: replies.length })}</span>
        <span class="flex-1 border-t border-line" />
      </div>
      {replies.map((m, i) => (
        <MessageItem
          key={m.id}
          m={m}
          first={i === 0 || replies[i - 1].senderId !== m.senderId}
          channel={channel}
          inThread
        />
      ))}
    </>
  );
}

function OutboxLine({ clientId }: { clientId: string }) {
  const { client } = useApp();
  const o = client.outbox.value.find((x) => x.clientId === clientId);
  return o ? <OutboxRow o={o} first /> : null;
}
