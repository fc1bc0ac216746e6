/**
 * The composer: multiline, Enter sends and Shift+Enter adds a line, ↑ in an empty box edits your last
 * message, @ and # autocomplete, emoji picker, typing signals, character limit feedback, and an explanation
 * instead of the box where you cannot post (read-only, blocked, archived, not a member).
 */
import { maintenanceBlock } from "./AdminBanners.tsx";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import { fmtNumber, t } from "../../i18n/mod.ts";
import { cx, IconSend, IconSmile } from "../../components/ui.tsx";
import { EmojiPicker } from "./lazy.tsx";
import { canModify } from "./MessageItem.tsx";
import { toast, useApp } from "./state.ts";
import { createUploads } from "./files/uploads.ts";
import { UploadTray } from "./files/UploadTray.tsx";
import { useFileDrop } from "./files/drop.ts";

interface Suggestion {
  id: string;
  label: string;
  detail: string;
  insert: string;
}

let seq = 0;

export function postingBlock(c: ChannelSummary): string | null {
  if (c.archived) return t("composer.archived");
  if (c.myRole == null && (c.kind === "public_channel" || c.kind === "private_channel")) {
    return t("composer.notMember");
  }
  if (c.canPost === false) {
    return c.readOnly || !c.allowPosting ? t("composer.readOnly") : t("composer.blocked");
  }
  return null;
}

export function Composer({ channel, replyTo = null }: { channel: ChannelSummary; replyTo?: number | null }) {
  const { client, ui, settings } = useApp();
  const [text, setText] = useState(() => drafts.get(key(channel.id, replyTo)) ?? "");
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [picker, setPicker] = useState(false);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const ta = useRef<HTMLTextAreaElement>(null);
  const id = useRef(`composer-${++seq}`).current;
  const [uploads] = useState(() => createUploads(channel.id));
  const fileInput = useRef<HTMLInputElement>(null);
  const addFiles = (files: File[]) => uploads.add(files, settings.values.value["files.max_bytes"]);
  useFileDrop(replyTo === null, addFiles);

  // After switching conversation (or opening a thread) the focus is in the message box.
  useEffect(() => {
    if (ta.current && !matchMedia("(pointer: coarse)").matches) ta.current.focus();
  }, [channel.id, replyTo]);

  const blocked = postingBlock(channel) ?? maintenanceBlock(settings, client.me.value?.role);
  if (blocked) {
    return (
      <div class="mx-4 mb-4 rounded-md border border-line bg-input px-3 py-3 text-sm text-muted" role="note">
        {blocked}
      </div>
    );
  }

  const limit = settings.messageChars;
  const over = text.length - limit;
  const name = replyTo ? t("composer.replyLabel") : channel.displayName;

  // Autocomplete: the @word or #word right before the caret.
  const before = text.slice(0, caret);
  const trigger = /(?:^|\s)([@#])([\p{L}\p{N}._-]*)$/u.exec(before);
  let suggestions: Suggestion[] = [];
  if (trigger && dismissed !== before) {
    const q = trigger[2].toLowerCase();
    if (trigger[1] === "@") {
      const pool = channel.members?.length ? channel.members : Object.values(client.users.value);
      suggestions = pool
        .filter((u) => u.id !== client.me.value?.id)
        .filter((u) => u.username.toLowerCase().startsWith(q) || u.displayName.toLowerCase().includes(q))
        .slice(0, 8)
        .map((u) => ({
          id: `u${u.id}`,
          label: `@${u.username}`,
          detail: u.displayName,
          insert: `@${u.username} `,
        }));
    } else {
      suggestions = client.channels.value
        .filter((c) =>
          (c.kind === "public_channel" || c.kind === "private_channel") && c.name.toLowerCase().startsWith(q)
        )
        .slice(0, 8)
        .map((c) => ({ id: `c${c.id}`, label: `#${c.name}`, detail: c.description, insert: `#${c.name} ` }));
    }
  }
  const open = suggestions.length > 0;
  const sel = Math.min(active, suggestions.length - 1);

  const update = (v: string, pos?: number) => {
    setText(v);
    drafts.set(key(channel.id, replyTo), v);
    setCaret(pos ?? v.length);
    setActive(0);
  };

  const insertAt = (s: string, from = caret, to = caret) => {
    const v = text.slice(0, from) + s + text.slice(to);
    update(v, from + s.length);
    requestAnimationFrame(() => {
      ta.current?.focus();
      ta.current?.setSelectionRange(from + s.length, from + s.length);
    });
  };

  const complete = (s: Suggestion) => {
    const start = caret - trigger![2].length - 1;
    insertAt(s.insert, start, caret);
  };

  const pending = uploads.list.value;
  const ready = pending.filter((u) => u.state === "ready");
  const busy = pending.some((u) => u.state === "uploading");
  const send = () => {
    const body = text.trim();
    if (ready.length) {
      if (busy || over > 0) return;
      client.rest.sendWithFiles(channel.id, {
        clientId: crypto.randomUUID(),
        body,
        attachments: ready.map((u) => u.file!.id),
        ...(replyTo ? { replyTo } : {}),
      }).catch((e) => toast(ui, e.message, "error"));
      uploads.list.value = pending.filter((u) => u.state !== "ready");
      update("");
      ui.atBottom.value = true;
      return;
    }
    if (!body || over > 0) return;
    client.send(channel.id, body, replyTo);
    update("");
    // The box shrinks back to one line after sending.
    if (ta.current) ta.current.style.height = "";
    ui.atBottom.value = true;
  };

  const editLast = () => {
    const me = client.me.value?.id;
    const msgs = client.chat.value[channel.id]?.messages ?? [];
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i];
      if (m.senderId !== me || (m.replyTo ?? null) !== replyTo || m.deletedAt) continue;
      if (canModify(m, me, settings.editWindowSeconds)) ui.editing.value = m.id;
      else {toast(
          ui,
          t("msg.editWindow", { minutes: fmtNumber(Math.round(settings.editWindowSeconds / 60)) }),
        );}
      return true;
    }
    return false;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.isComposing) return;
    if (open) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setActive((sel + (e.key === "ArrowDown" ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        complete(suggestions[sel]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        setDismissed(before);
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    } else if (e.key === "ArrowUp" && !text) {
      if (editLast()) e.preventDefault();
    }
  };

  const listId = `${id}-list`;
  return (
    <div class="relative px-4 pb-3">
      {open && (
        <ul
          id={listId}
          role="listbox"
          aria-label={t("composer.suggestions")}
          class="absolute bottom-full left-4 right-4 mb-1 max-h-60 overflow-y-auto rounded-md border border-line bg-main shadow-lg z-20"
        >
          {suggestions.map((s, i) => (
            <li
              key={s.id}
              id={`${id}-${s.id}`}
              role="option"
              aria-selected={i === sel}
              onMouseDown={(e) => {
                e.preventDefault();
                complete(s);
              }}
              class={cx(
                "flex gap-2 px-3 py-1.5 cursor-pointer text-sm",
                i === sel ? "bg-selected" : "hover:bg-hover",
              )}
            >
              <span class="font-semibold">{s.label}</span>
              <span class="text-muted truncate">{s.detail}</span>
            </li>
          ))}
        </ul>
      )}
      <UploadTray uploads={uploads} discard={client.rest.discardFile} />
      <div class="flex items-end gap-2 rounded-lg border border-line bg-input px-2 py-1.5 focus-within:border-accent">
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            const el = e.target as HTMLInputElement;
            if (el.files?.length) addFiles([...el.files]);
            el.value = "";
          }}
        />
        <button
          type="button"
          aria-label="Attach files"
          title="Attach files"
          onClick={() => fileInput.current?.click()}
          class="p-1.5 rounded text-muted hover:bg-hover hover:text-fg"
        >
          <span aria-hidden="true">📎</span>
        </button>
        <textarea
          ref={ta}
          id={id}
          value={text}
          rows={1}
          aria-label={replyTo ? t("composer.replyLabel") : t("composer.label", { name })}
          aria-describedby={`${id}-hint${over > -limit * 0.1 ? ` ${id}-count` : ""}`}
          aria-autocomplete="list"
          aria-controls={open ? listId : undefined}
          aria-activedescendant={open ? `${id}-${suggestions[sel].id}` : undefined}
          placeholder={replyTo ? t("composer.replyPlaceholder") : t("composer.placeholder", { name })}
          onInput={(e) => {
            const el = e.target as HTMLTextAreaElement;
            update(el.value, el.selectionStart);
            el.style.height = "auto";
            el.style.height = `${Math.min(200, el.scrollHeight)}px`;
            if (el.value) client.typingPing(channel.id);
          }}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length) {
              e.preventDefault();
              addFiles(files);
            }
          }}
          onKeyUp={(e) => setCaret((e.target as HTMLTextAreaElement).selectionStart)}
          onClick={(e) => setCaret((e.target as HTMLTextAreaElement).selectionStart)}
          class="flex-1 resize-none bg-transparent text-fg py-1 px-1 max-h-[200px] focus:outline-none"
        />
        <div class="relative">
          <button
            type="button"
            aria-label={t("composer.emoji")}
            title={t("composer.emoji")}
            aria-expanded={picker}
            onClick={() => setPicker(!picker)}
            class="p-1.5 rounded text-muted hover:bg-hover hover:text-fg"
          >
            <IconSmile />
          </button>
          {picker && (
            <EmojiPicker
              class="absolute bottom-full right-0 mb-2"
              onClose={() => setPicker(false)}
              onPick={(e) => {
                setPicker(false);
                insertAt(e);
              }}
            />
          )}
        </div>
        <button
          type="button"
          onClick={send}
          disabled={(ready.length ? busy : !text.trim()) || over > 0}
          aria-label={t("composer.send")}
          title={t("composer.send")}
          class="p-1.5 rounded bg-accent text-accent-fg disabled:opacity-50"
        >
          <IconSend />
        </button>
      </div>
      <div class="flex justify-between gap-2 mt-1 text-xs text-muted">
        <span id={`${id}-hint`} class="hidden md:inline">{t("composer.hint")}</span>
        {over > -limit * 0.1 && (
          <span id={`${id}-count`} aria-live="polite" class={over > 0 ? "text-danger font-semibold" : ""}>
            {over > 0 ? t("composer.tooLong", { count: over }) : t("composer.left", { count: -over })}
          </span>
        )}
      </div>
    </div>
  );
}

const drafts = new Map<string, string>();
const key = (c: number, r: number | null) => `${c}:${r ?? ""}`;
