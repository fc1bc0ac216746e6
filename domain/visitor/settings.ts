/**
 * Visitor-chat settings, read through the workspace settings registry (`domain/settings/areas/visitor.ts`
 * defines every key): one object without the `visitor.` prefix, and the part the visitor's browser gets.
 */
import type { Sql } from "../../db/client.ts";
import { readSettings } from "../settings/workspace.ts";
import type { WorkspaceSettings } from "../settings/catalog.ts";
import type { PublicVisitorSettings } from "../../realtime/visitor_protocol.ts";

type Strip<K> = K extends `visitor.${infer R}` ? R : never;
export type VisitorSettings = { [K in keyof WorkspaceSettings as Strip<K>]: WorkspaceSettings[K] };
export type { PublicVisitorSettings };

/** The workspace's visitor settings (stored values that satisfy their schema, defaults for the rest). */
export async function readVisitorSettings(sql: Sql, workspaceId: number): Promise<VisitorSettings> {
  const all = await readSettings(sql, workspaceId) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (k.startsWith("visitor.")) out[k.slice(8)] = v;
  return out as VisitorSettings;
}

/** What the visitor's browser may know: the form, texts, look and rules; no hours, webhooks or routing. */
export function publicSettings(s: VisitorSettings): PublicVisitorSettings {
  return {
    enabled: s.enabled,
    prechat_fields: s.prechat_fields,
    topics: s.topics,
    consent_text: s.consent_text,
    greeting: s.greeting,
    offline_text: s.offline_text,
    recovery_minutes: s.recovery_minutes,
    rating_type: s.rating_type,
    attachments: s.attachments,
    look: s.look,
    page_rules: s.page_rules,
  };
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
