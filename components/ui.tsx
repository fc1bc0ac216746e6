/** Small presentational pieces shared by the pages, the chat app and the widget. */
import type { ComponentChildren, JSX } from "preact";
import type { PresenceStatus } from "../realtime/protocol.ts";
import { t } from "../i18n/mod.ts";

/** Joins class names, skipping falsy ones. */
export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(" ");
}

const DOT: Record<PresenceStatus, string> = {
  online: "bg-ok",
  away: "bg-away",
  busy: "bg-busy",
  offline: "bg-offline",
};

/** The coloured presence dot; its meaning is in the accessible name, not only in the colour. */
export function PresenceDot(
  { status, size = "sm", class: extra }: { status: PresenceStatus; size?: "sm" | "md"; class?: string },
) {
  return (
    <span
      role="img"
      data-presence
      aria-label={t(`presence.${status}`)}
      title={t(`presence.${status}`)}
      class={cx(
        "inline-block shrink-0 rounded-full ring-2 ring-sidebar",
        size === "sm" ? "w-2.5 h-2.5" : "w-3 h-3",
        DOT[status],
        extra,
      )}
    />
  );
}

/** Avatar backgrounds: each keeps white initials at 4.5:1 or better (tested). */
export const AVATAR_COLORS = [
  "#295c8e",
  "#22775b",
  "#8e4b29",
  "#6d298e",
  "#8e294b",
  "#776222",
  "#226977",
  "#227722",
];

/** Initials on a colour derived from the user id (or the avatar image when there is one). */
export function Avatar(
  { name, id, url, size = 36 }: { name: string; id: number; url?: string | null; size?: number },
) {
  const initials = name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join("");
  const style = `width:${size}px;height:${size}px;font-size:${Math.round(size * 0.4)}px;` +
    `background:${AVATAR_COLORS[id % AVATAR_COLORS.length]}`;
  if (url) {
    return (
      <img
        src={url}
        alt=""
        class="rounded-md shrink-0 object-cover"
        style={`width:${size}px;height:${size}px`}
      />
    );
  }
  return (
    <span
      aria-hidden="true"
      class="rounded-md shrink-0 inline-flex items-center justify-center font-semibold text-white"
      style={style}
    >
      {initials || "?"}
    </span>
  );
}

/** A count badge; `label` is what screen readers hear instead of the bare number. */
export function Badge({ children, tone = "badge", label }: {
  children: ComponentChildren;
  tone?: "badge" | "muted" | "accent";
  label?: string;
}) {
  return (
    <span
      title={label}
      class={cx(
        "inline-flex items-center justify-center min-w-[1.25rem] h-5 px-1.5 rounded-full text-xs font-bold leading-none",
        tone === "badge" && "bg-badge text-badge-fg",
        tone === "muted" && "bg-accent text-accent-fg",
        tone === "accent" && "bg-accent text-accent-fg",
      )}
    >
      <span aria-hidden={label ? "true" : undefined}>{children}</span>
      {label && <span class="sr-only">{label}</span>}
    </span>
  );
}

type SvgProps = JSX.SVGAttributes<SVGSVGElement>;
const svg = (d: string) => (p: SvgProps) => (
  <svg
    viewBox="0 0 24 24"
    width="18"
    height="18"
    fill="none"
    stroke="currentColor"
    stroke-width="2"
    stroke-linecap="round"
    stroke-linejoin="round"
    aria-hidden="true"
    focusable="false"
    {...p}
  >
    <path d={d} />
  </svg>
);

export const IconGear = svg(
  "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z",
);
export const IconX = svg("M18 6 6 18M6 6l12 12");
/** A stack of documents: the conversation's "Files" view. */
export const IconFiles = svg(
  "M15 2H8a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V7zM15 2v5h5M4 7v13a2 2 0 0 0 2 2h10",
);
export const IconSearch = svg("M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.3-4.3");
export const IconSmile = svg(
  "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01",
);
export const IconReply = svg("M9 17l-5-5 5-5M4 12h11a5 5 0 0 1 5 5v2");
export const IconEdit = svg("M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z");
export const IconTrash = svg("M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6");
export const IconLock = svg("M5 11h14v10H5zM8 11V7a4 4 0 0 1 8 0v4");
export const IconBack = svg("M15 18l-6-6 6-6");
export const IconSend = svg("M22 2 11 13M22 2l-7 20-4-9-9-4z");
export const IconPlus = svg("M12 5v14M5 12h14");
export const IconChat = svg(
  "M21 11.5a8.4 8.4 0 0 1-9 8.4 8.5 8.5 0 0 1-3.8-.9L3 21l1.9-5.2A8.4 8.4 0 0 1 12 3a8.5 8.5 0 0 1 9 8.5z",
);
export const IconExternal = svg(
  "M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6M15 3h6v6M10 14 21 3",
);
