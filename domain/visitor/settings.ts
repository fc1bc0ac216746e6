/**
 * Every visitor-chat setting in one place: key, zod type, default, whether the visitor's browser may see it.
 * Stored in `workspace_settings` under `visitor.<key>`. When the workspace settings registry lands this file
 * moves into it unchanged (one entry per key).
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";

export const PrechatField = z.object({
  key: z.enum(["name", "email", "phone", "topic", "message"]),
  label: z.string().min(1).max(60),
  required: z.boolean(),
}).strict();

const hhmm = z.string().regex(/^\d\d:\d\d$/);

export const VISITOR_SETTINGS = {
  enabled: { schema: z.boolean(), default: true, public: true },
  prechat_fields: {
    schema: z.array(PrechatField).max(5),
    default: [
      { key: "name", label: "Name", required: true },
      { key: "email", label: "Email", required: false },
      { key: "topic", label: "Topic", required: false },
      { key: "message", label: "How can we help?", required: false },
    ] as z.infer<typeof PrechatField>[],
    public: true,
  },
  /** The topics offered; each is a ticket category. */
  topics: {
    schema: z.array(z.string().min(1).max(60)).max(30),
    default: ["General question", "Billing", "Technical problem"],
    public: true,
  },
  consent_text: {
    schema: z.string().max(500),
    default: "We store this conversation to answer you. See our privacy notice.",
    public: true,
  },
  greeting: { schema: z.string().max(300), default: "Hi! How can we help you today?", public: true },
  offline_text: {
    schema: z.string().max(300),
    default: "Nobody is available right now. Leave a message and we will get back to you.",
    public: true,
  },
  /** Empty: always open. Otherwise per weekday (0 = Sunday) opening and closing time, in `timezone`. */
  business_hours: {
    schema: z.array(z.object({ day: z.number().int().min(0).max(6), open: hhmm, close: hhmm }).strict())
      .max(14),
    default: [] as { day: number; open: string; close: string }[],
    public: false,
  },
  timezone: { schema: z.string().max(60), default: "UTC", public: false },
  recovery_minutes: { schema: z.number().min(0).max(1440), default: 5, public: true },
  rating_type: { schema: z.enum(["stars", "number", "thumbs", "off"]), default: "stars", public: true },
  auto_assign: { schema: z.boolean(), default: false, public: false },
  default_capacity: { schema: z.number().int().min(1).max(50), default: 3, public: false },
  /** How long an agent may be offline before their conversations move (absorbs reloads). */
  offline_grace_seconds: { schema: z.number().min(0).max(3600), default: 20, public: false },
  min_form_seconds: { schema: z.number().min(0).max(60), default: 2, public: false },
  look: {
    schema: z.object({
      shape: z.enum(["circle", "rounded", "square"]),
      color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
      position: z.enum(["bottom-right", "bottom-left"]),
      animation: z.enum(["none", "bounce", "pulse", "slide"]),
      logoUrl: z.string().url().max(500).or(z.literal("")),
      title: z.string().min(1).max(60),
    }).strict(),
    default: {
      shape: "circle",
      color: "#1d4ed8",
      position: "bottom-right",
      animation: "slide",
      logoUrl: "",
      title: "Chat with us",
    },
    public: true,
  },
  /** Path prefixes of the host site where the widget shows (empty: everywhere); `!` excludes. */
  page_rules: { schema: z.array(z.string().max(200)).max(50), default: [] as string[], public: true },
  /** Origins that may embed the widget (empty: any site). */
  host_origins: {
    schema: z.array(z.string().url().max(200)).max(50),
    default: [] as string[],
    public: false,
  },
  webhook_url: { schema: z.string().url().max(500).or(z.literal("")), default: "", public: false },
  webhook_secret: { schema: z.string().max(200), default: "", public: false },
  canned_replies: {
    schema: z.array(z.object({ title: z.string().min(1).max(60), body: z.string().min(1).max(2000) }))
      .max(100),
    default: [
      { title: "Greeting", body: "Hello! Thanks for reaching out. How can I help?" },
      { title: "One moment", body: "Let me check that for you, one moment please." },
      { title: "Goodbye", body: "Thanks for chatting with us. Have a great day!" },
    ],
    public: false,
  },
} as const;

export type VisitorSettingKey = keyof typeof VISITOR_SETTINGS;
export type VisitorSettings = {
  -readonly [K in VisitorSettingKey]: z.infer<typeof VISITOR_SETTINGS[K]["schema"]>;
};
export type PublicVisitorSettings = Pick<
  VisitorSettings,
  | "enabled"
  | "prechat_fields"
  | "topics"
  | "consent_text"
  | "greeting"
  | "offline_text"
  | "recovery_minutes"
  | "rating_type"
  | "look"
  | "page_rules"
>;

export const settingKey = (k: VisitorSettingKey) => `visitor.${k}`;

/** The workspace's visitor settings, stored values validated, defaults for the rest. */
export async function readVisitorSettings(sql: Sql, workspaceId: number): Promise<VisitorSettings> {
  const stored = await workspacesRepo.settings(sql, workspaceId);
  const out: Record<string, unknown> = {};
  for (const [k, def] of Object.entries(VISITOR_SETTINGS)) {
    const v = stored[settingKey(k as VisitorSettingKey)];
    const r = v === undefined ? null : def.schema.safeParse(v);
    out[k] = r?.success ? r.data : structuredClone(def.default);
  }
  return out as VisitorSettings;
}

export function publicSettings(s: VisitorSettings): PublicVisitorSettings {
  const out: Record<string, unknown> = {};
  for (const [k, def] of Object.entries(VISITOR_SETTINGS)) {
    if (def.public) out[k] = s[k as VisitorSettingKey];
  }
  return out as PublicVisitorSettings;
}

/** Whether `now` is inside business hours (always, when none are set). */
export function withinHours(s: VisitorSettings, now: Date): boolean {
  if (!s.business_hours.length) return true;
  let parts: Record<string, string>;
  try {
    parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-GB", {
        timeZone: s.timezone,
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).formatToParts(now).map((p) => [p.type, p.value]),
    );
  } catch {
    return true;
  }
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
  const hm = `${parts.hour}:${parts.minute}`;
  return s.business_hours.some((h) => h.day === day && h.open <= hm && hm < h.close);
}
