/**
 * The emoji picker: the `emojibase-data` set, compacted at build time and served from this server (never a
 * CDN), loaded the first time a picker opens. Search by name, groups, and the emoji used most recently.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { cx } from "../../components/ui.tsx";
import type { MessageKey } from "../../i18n/en.ts";

type Row = [string, string, number];
let data: Promise<Row[]> | null = null;

function loadEmoji(): Promise<Row[]> {
  data ??= (async () => {
    const meta = document.querySelector('meta[name="parley-assets"]')?.getAttribute("content");
    const url = meta ? JSON.parse(meta).emoji : null;
    if (!url) return [];
    const res = await fetch(url);
    return await res.json() as Row[];
  })().catch(() => (data = null, []));
  return data;
}

const RECENT_KEY = "parley.emoji.recent";
const DEFAULT_RECENT = ["👍", "❤️", "😂", "🎉", "👀", "🙏", "✅", "🔥"];

function recent(): string[] {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY) ?? "null") ?? DEFAULT_RECENT;
  } catch {
    return DEFAULT_RECENT;
  }
}

function remember(e: string) {
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify([e, ...recent().filter((x) => x !== e)].slice(0, 16)));
  } catch { /* ignore */ }
}

const GROUPS = [0, 1, 3, 4, 5, 6, 7, 8, 9];

export function EmojiPicker({ onPick, onClose, class: extra }: {
  onPick: (emoji: string) => void;
  onClose: () => void;
  class?: string;
}) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [q, setQ] = useState("");
  const [group, setGroup] = useState<number>(-1);
  const box = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void loadEmoji().then(setRows);
    input.current?.focus();
    const onDown = (e: MouseEvent) => {
      if (box.current && !e.composedPath().includes(box.current)) onClose();
    };
    const id = setTimeout(() => document.addEventListener("mousedown", onDown), 0);
    return () => {
      clearTimeout(id);
      document.removeEventListener("mousedown", onDown);
    };
  }, []);

  const needle = q.trim().toLowerCase();
  let shown: [string, string][];
  if (needle) {
    shown = (rows ?? []).filter((r) => r[1].toLowerCase().includes(needle)).slice(0, 120).map((
      r,
    ) => [r[0], r[1]]);
  } else if (group === -1) {
    const bare = (e: string) => e.replace(/\uFE0F/g, "");
    const labels = new Map((rows ?? []).map((r) => [bare(r[0]), r[1]]));
    shown = recent().map((e) => [e, labels.get(bare(e)) ?? e]);
  } else shown = (rows ?? []).filter((r) => r[2] === group).map((r) => [r[0], r[1]]);

  const pick = (e: string) => {
    remember(e);
    onPick(e);
  };

  return (
    <div
      ref={box}
      role="dialog"
      aria-label={t("emoji.title")}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
      class={cx(
        "z-30 w-80 rounded-lg border border-line bg-main text-fg shadow-xl p-2 flex flex-col gap-2",
        extra,
      )}
    >
      <input
        ref={input}
        type="search"
        value={q}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        aria-label={t("emoji.search")}
        placeholder={t("emoji.search")}
        class="w-full rounded-md border border-line bg-input text-fg px-2 py-1 text-sm"
      />
      {!needle && (
        <div class="flex flex-wrap gap-1" role="group" aria-label={t("emoji.title")}>
          {[-1, ...GROUPS].map((g) => (
            <button
              type="button"
              key={g}
              aria-pressed={group === g}
              onClick={() => setGroup(g)}
              class={cx(
                "text-xs px-1.5 py-0.5 rounded border border-line",
                group === g ? "bg-accent text-accent-fg" : "hover:bg-hover",
              )}
            >
              {g === -1 ? t("emoji.recent") : t(`emoji.group${g}` as MessageKey)}
            </button>
          ))}
        </div>
      )}
      <div class="grid grid-cols-8 gap-0.5 max-h-52 overflow-y-auto" role="list">
        {rows === null && group !== -1 && <p class="col-span-8 text-sm text-muted">{t("emoji.loading")}</p>}
        {rows !== null && shown.length === 0 && <p class="col-span-8 text-sm text-muted">{t("emoji.none")}
        </p>}
        {shown.map(([e, label]) => (
          <span role="listitem" key={e}>
            <button
              type="button"
              title={label}
              aria-label={label}
              onClick={() => pick(e)}
              class="w-9 h-9 text-xl rounded hover:bg-hover"
            >
              {e}
            </button>
          </span>
        ))}
      </div>
    </div>
  );
}
