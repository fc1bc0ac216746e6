/**
 * One message: avatar and name at the start of a group, markdown body, "(edited)", "This message was
 * deleted", the timestamp where the user wants it, reactions, reply count, ✓/✓✓ receipts in DMs and groups,
 * and the hover/focus toolbar (react, reply in thread, edit and delete within the window).
 */
import { useState } from "preact/hooks";
import type { ChannelSummary, Message } from "../../realtime/protocol.ts";
import type { OutboxItem } from "../../realtime/client.ts";
import { fmtClock, fmtFull, fmtList, fmtNumber, fmtRelative, fmtTime, t } from "../../i18n/mod.ts";
import { Avatar, cx, IconEdit, IconReply, IconSmile, IconTrash } from "../../components/ui.tsx";
import { loadMarkdown, markdown } from "./markdown_lazy.ts";
import { escapeHtml } from "../../components/html.ts";
import { Attachments } from "./files/Attachments.tsx";
import { EmojiPicker } from "./lazy.tsx";
import { ConfirmDialog } from "./Dialog.tsx";
import { plainText } from "./text.ts";
import { toast, useApp } from "./state.ts";

/**
 * A body as safe HTML. Until the renderer has loaded (message logs wait for it, so this is rare) the text
 * is shown escaped, and the row re-renders when it arrives.
 */
function toHtml(body: string, key?: string): string {
  const md = markdown.value;
  if (md) return md.renderMarkdown(body, key);
  if (typeof document !== "undefined") void loadMarkdown().catch(() => {});
  return escapeHtml(body);
}

export function canModify(m: Message, me: number | undefined, windowS: number, now = Date.now()): boolean {
  return m.senderId === me && !m.deletedAt && now < new Date(m.createdAt).getTime() + windowS * 1000;
}

function Stamp({ iso, inline }: { iso: string; inline?: boolean }) {
  const { ui } = useApp();
  const p = ui.prefs.value;
  const text = p.tsFormat === "relative"
    ? fmtRelative(iso, new Date(ui.now.value))
    : fmtTime(iso, new Date(ui.now.value));
  return (
    <time
      dateTime={iso}
      title={fmtFull(iso)}
      class={cx("text-xs text-muted whitespace-nowrap", inline && "ml-2")}
    >
      {text}
    </time>
  );
}

export function MessageItem({ m, first, channel, inThread, highlight, active, onFocusRow }: {
  m: Message;
  first: boolean;
  channel: ChannelSummary;
  inThread?: boolean;
  highlight?: boolean;
  /** In a log with roving focus: whether this row holds it (its controls are then Tab stops). */
  active?: boolean;
  onFocusRow?: () => void;
}) {
  const { client, ui, settings, userName } = useApp();
  const [picker, setPicker] = useState<false | "above" | "below">(false);
  const [confirming, setConfirming] = useState(false);
  // Inside a roving log only the active row's controls take Tab; elsewhere (threads) all do.
  const tab = onFocusRow && !active ? -1 : undefined;
  const me = client.me.value?.id;
  const pos = ui.prefs.value.tsPosition;
  const editing = ui.editing.value === m.id;
  const deleted = !!m.deletedAt;
  const mine = m.senderId === me;
  const modifiable = canModify(m, me, settings.editWindowSeconds, ui.now.value);
  const name = userName(m.senderId);
  const mentionsMe = me !== undefined && m.mentions.includes(me);

  const fail = (e: unknown) => toast(ui, t("app.error", { message: (e as Error).message }), "error");
  const react = (emoji: string, add: boolean) => client.react(m.id, emoji, add).catch(fail);

  let receipt: preact.JSX.Element | null = null;
  if (mine && !deleted && (channel.kind === "direct_message" || channel.kind === "group")) {
    const others = (channel.members ?? []).filter((u) => u.id !== me);
    const reads = client.receipts.value[channel.id] ?? {};
    const all = others.length > 0 && others.every((u) => (reads[u.id] ?? 0) >= m.seq);
    receipt = (
      <span
        role="img"
        aria-label={all ? t("msg.readBy") : t("msg.sent")}
        title={all ? t("msg.readBy") : t("msg.sent")}
        class={cx("text-xs ml-1", all ? "text-link" : "text-muted")}
      >
        {all ? "✓✓" : "✓"}
      </span>
    );
  }

  const body = deleted
    ? <p class="italic text-muted">{t("msg.deleted")}</p>
    : editing
    ? <EditBox m={m} />
    : (
      <div
        class={cx("md break-words", m.editedAt && "md-edited")}
        title={pos === "tooltip" ? fmtFull(m.createdAt) : undefined}
        // deno-lint-ignore react-no-danger
        dangerouslySetInnerHTML={{ __html: toHtml(m.body, `${m.id}:${m.editedAt ?? ""}`) }}
      />
    );

  return (
    <div
      id={`msg-${m.id}`}
      data-message-id={m.id}
      tabIndex={onFocusRow ? -1 : undefined}
      onFocusIn={onFocusRow}
      aria-label={onFocusRow ? `${name}: ${plainText(m.body).slice(0, 120)}` : undefined}
      class={cx(
        "msg-row group relative flex gap-3 px-4 hover:bg-hover",
        first ? "pt-2 pb-0.5 mt-1" : "py-0.5",
        mentionsMe && !deleted && "bg-mention",
        highlight && "flash",
      )}
    >
      <div class="w-9 shrink-0">
        {first
          ? (
            <Avatar
              name={name}
              id={m.senderId ?? 0}
              dndLabel={m.senderId !== null && ui.notify.dndUsers.value.has(m.senderId)
                ? t("presence.dnd")
                : undefined}
            />
          )
          : pos === "right" && <span class="sr-only">{name}</span>}
      </div>
      <div class="flex-1 min-w-0">
        {first && (
          <div class="flex items-baseline gap-2">
            <span class="font-semibold text-fg">{name}</span>
            {pos !== "right" && pos !== "below" && <span class="sr-only">{fmtTime(m.createdAt)}</span>}
          </div>
        )}
        {!first && <span class="sr-only">{name}</span>}
        <div class="flex items-start gap-2">
          <div class="flex-1 min-w-0">
            {body}
            {!deleted && <Attachments items={m.attachments} />}
            {m.editedAt && !deleted && !editing && (
              <span class="text-xs text-muted ml-1 whitespace-nowrap">{t("msg.edited")}</span>
            )}
          </div>
          {pos === "right" && (
            <span class="flex items-center shrink-0">
              <Stamp iso={m.createdAt} />
              {receipt}
            </span>
          )}
        </div>
        {pos === "below" && (
          <div class="flex items-center">
            <Stamp iso={m.createdAt} />
            {receipt}
          </div>
        )}
        {pos === "tooltip" && receipt}
        {!deleted && m.reactions.length > 0 && (
          <div class="flex flex-wrap gap-1 mt-1">
            {m.reactions.map((r) => {
              const minePressed = me !== undefined && r.userIds.includes(me);
              const names = fmtList(r.userIds.map((u) => (u === me ? t("msg.you") : userName(u))));
              return (
                <button
                  type="button"
                  key={r.emoji}
                  aria-pressed={minePressed}
                  tabIndex={tab}
                  aria-label={t("msg.toggleReaction", { emoji: r.emoji, count: r.userIds.length, names })}
                  title={t("msg.reactionBy", { emoji: r.emoji, names })}
                  onClick={() => react(r.emoji, !minePressed)}
                  class={cx(
                    "inline-flex items-center gap-1 px-1.5 h-6 rounded-full border text-sm",
                    minePressed ? "border-accent bg-selected" : "border-line bg-input hover:bg-hover",
                  )}
                >
                  <span aria-hidden="true">{r.emoji}</span>
                  <span aria-hidden="true" class="text-xs font-semibold">{fmtNumber(r.userIds.length)}</span>
                </button>
              );
            })}
          </div>
        )}
        {!inThread && m.replyCount > 0 && (
          <button
            type="button"
            onClick={() => (ui.threadId.value = m.id)}
            tabIndex={tab}
            class="mt-1 text-sm font-semibold text-link hover:underline"
          >
            {t("msg.replies", { count: m.replyCount })}
          </button>
        )}
      </div>
      {!deleted && !editing && (
        <div
          role="toolbar"
          aria-label={t("msg.actions")}
          class="absolute right-28 -top-4 flex gap-0.5 rounded-md border border-line bg-main shadow-sm p-0.5 opacity-0 group-hover:opacity-100 focus-within:opacity-100"
        >
          <ToolButton
            tab={tab}
            label={t("msg.react")}
            onClick={(e) => {
              const row = (e.currentTarget as HTMLElement).closest("[data-message-id]")!
                .getBoundingClientRect();
              setPicker(picker ? false : row.top > innerHeight / 2 ? "above" : "below");
            }}
          >
            <IconSmile width="16" height="16" />
          </ToolButton>
          {!inThread && (
            <ToolButton tab={tab} label={t("msg.reply")} onClick={() => (ui.threadId.value = m.id)}>
              <IconReply width="16" height="16" />
            </ToolButton>
          )}
          {modifiable && (
            <ToolButton tab={tab} label={t("msg.edit")} onClick={() => (ui.editing.value = m.id)}>
              <IconEdit width="16" height="16" />
            </ToolButton>
          )}
          {modifiable && (
            <ToolButton tab={tab} label={t("msg.delete")} onClick={() => setConfirming(true)}>
              <IconTrash width="16" height="16" />
            </ToolButton>
          )}
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title={t("msg.deleteTitle")}
          text={t("msg.confirmDelete")}
          confirm={t("msg.delete")}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            client.remove(m.id).catch(fail);
          }}
        />
      )}
      {picker && (
        <EmojiPicker
          class={cx("absolute right-4", picker === "above" ? "bottom-full" : "top-6")}
          onClose={() => setPicker(false)}
          onPick={(e) => {
            setPicker(false);
            const mineAlready = m.reactions.some((r) =>
              r.emoji === e && me !== undefined && r.userIds.includes(me)
            );
            if (!mineAlready) react(e, true);
          }}
        />
      )}
    </div>
  );
}

function ToolButton({ label, onClick, children, tab }: {
  label: string;
  tab?: number;
  onClick: (e: MouseEvent) => void;
  children: preact.ComponentChildren;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      tabIndex={tab}
      onClick={onClick}
      class="p-1 rounded text-muted hover:bg-hover hover:text-fg"
    >
      {children}
    </button>
  );
}

function EditBox({ m }: { m: Message }) {
  const { client, ui } = useApp();
  const [text, setText] = useState(m.body);
  const save = async () => {
    const body = text.trim();
    if (!body || body === m.body) return void (ui.editing.value = null);
    try {
      await client.edit(m.id, body);
      ui.editing.value = null;
    } catch (e) {
      toast(ui, t("app.error", { message: (e as Error).message }), "error");
    }
  };
  return (
    <div class="flex flex-col gap-1">
      <textarea
        aria-label={t("msg.editLabel")}
        value={text}
        ref={(el) => {
          if (el && !el.dataset.focused) {
            el.dataset.focused = "1";
            el.focus();
            el.setSelectionRange(text.length, text.length);
          }
        }}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            void save();
          } else if (e.key === "Escape") {
            e.stopPropagation();
            ui.editing.value = null;
          }
        }}
        rows={Math.min(8, text.split("\n").length + 1)}
        class="w-full rounded-md border border-line bg-input text-fg px-2 py-1"
      />
      <div class="flex gap-2 text-sm">
        <button
          type="button"
          onClick={save}
          class="px-2 py-0.5 rounded bg-accent text-accent-fg font-semibold"
        >
          {t("msg.save")}
        </button>
        <button
          type="button"
          onClick={() => (ui.editing.value = null)}
          class="px-2 py-0.5 rounded border border-line hover:bg-hover"
        >
          {t("msg.cancel")}
        </button>
      </div>
    </div>
  );
}

/** A message still in the outbox: pending (or waiting for the connection) or failed with retry. */
export function OutboxRow({ o, first }: { o: OutboxItem; first: boolean }) {
  const { client, userName } = useApp();
  const me = client.me.value!;
  const offline = client.status.value !== "open";
  return (
    <div data-outbox={o.clientId} class={cx("msg-row flex gap-3 px-4", first ? "pt-2 mt-1" : "py-0.5")}>
      <div class="w-9 shrink-0">{first && <Avatar name={me.displayName} id={me.id} />}</div>
      <div class="flex-1 min-w-0">
        {first && <span class="font-semibold">{userName(me.id)}</span>}
        <div
          class={cx("md break-words", o.state !== "failed" && "opacity-70")}
          // deno-lint-ignore react-no-danger
          dangerouslySetInnerHTML={{ __html: toHtml(o.body) }}
        />
        {o.state === "failed"
          ? (
            <div class="flex items-center gap-2 text-sm text-danger">
              <span>{t("msg.failed", { error: o.error ?? "" })}</span>
              <button type="button" onClick={() => client.retry(o.clientId)} class="underline font-semibold">
                {t("msg.retry")}
              </button>
              <button type="button" onClick={() => client.discard(o.clientId)} class="underline">
                {t("msg.discard")}
              </button>
            </div>
          )
          : (
            <span class="text-xs text-muted">
              {offline ? t("msg.queued") : t("msg.pending")} · {fmtClock(o.createdAt)}
            </span>
          )}
      </div>
    </div>
  );
}
