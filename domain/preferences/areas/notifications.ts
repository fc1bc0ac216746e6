/**
 * How one person is told about new messages (docs/notifications.md): sounds and desktop notifications in the
 * open tab, Web Push to devices, email of unread messages after a delay, keywords, quiet hours and a pause.
 * Several take their default from a workspace setting the administrator sets (`workspaceDefault`).
 * The notification rules read them through `effectivePrefs` in `domain/notifications/prefs.ts`.
 */
import { z } from "zod";
import { definePreferences, preference } from "../../settings/registry.ts";
import {
  DND_ALLOW,
  EmailDelay,
  Keywords,
  Language,
  QuietHours,
  SoundKinds,
  TimeZone,
} from "../../notifications/schemas.ts";

const G = "Notifications";

export const notificationPreferences = definePreferences("notifications", {
  sounds: preference({
    schema: z.boolean(),
    default: true,
    group: G,
    label: "Notification sounds",
    description: "A sound for new messages and mentions (unless the workspace switched sounds off).",
  }),
  soundVolume: preference({
    schema: z.number().min(0).max(1),
    default: 0.5,
    group: G,
    label: "Sound volume",
    description: "How loud notification sounds play, from 0 (silent) to 1.",
  }),
  soundKinds: preference({
    schema: SoundKinds,
    default: { message: true, mention: true, visitor: true },
    group: G,
    label: "Sounds for",
    description: "Which kinds ring: new messages, mentions, a visitor waiting.",
  }),
  muteAll: preference({
    schema: z.boolean(),
    default: false,
    group: G,
    label: "Mute all notifications",
    description: "No sounds, no desktop notifications in the open tab.",
  }),
  desktop: preference({
    schema: z.boolean(),
    default: false,
    group: G,
    label: "Desktop notifications",
    description: "A desktop notification when the tab is hidden (the browser asks for permission first).",
  }),
  push: preference({
    schema: z.boolean(),
    default: true,
    group: G,
    label: "Push notifications",
    description: "Web Push to the devices you subscribed when no Parley tab is open.",
    workspaceDefault: "notifications.default_push",
  }),
  emailEnabled: preference({
    schema: z.boolean(),
    default: true,
    group: G,
    label: "Email unread messages",
    description: "Direct messages, mentions and keyword hits still unread after the delay come by email.",
    workspaceDefault: "notifications.default_email",
  }),
  emailDelayMinutes: preference({
    schema: EmailDelay,
    default: 60,
    group: G,
    label: "Email delay",
    description: "Minutes a message waits unread before it is mailed (one mail per delay window).",
    workspaceDefault: "notifications.default_email_delay_minutes",
  }),
  keywords: preference({
    schema: Keywords,
    default: [] as string[],
    group: G,
    label: "Keywords",
    description: "Words that notify you like a mention (whole words, any case).",
  }),
  quietHours: preference({
    schema: QuietHours,
    default: {} as z.infer<typeof QuietHours>,
    group: G,
    label: "Quiet hours",
    description: "Do not disturb per weekday, in your time zone; a range may run past midnight.",
  }),
  pausedUntil: preference({
    schema: z.iso.datetime({ offset: true }).nullable(),
    default: null as string | null,
    group: G,
    label: "Paused until",
    description: "Notifications paused until this moment (Pause for 1 hour, until tomorrow).",
  }),
  dndAllow: preference({
    schema: z.array(z.enum(DND_ALLOW)).max(4),
    default: [] as (typeof DND_ALLOW[number])[],
    group: G,
    label: "Allowed during do not disturb",
    description: "What still reaches you during quiet hours or a pause.",
  }),
  timeZone: preference({
    schema: TimeZone,
    default: "UTC",
    group: G,
    label: "Time zone",
    description: "Quiet hours and 'until tomorrow' follow this time zone.",
    workspaceDefault: "notifications.default_time_zone",
  }),
  language: preference({
    schema: Language,
    default: "en",
    group: G,
    label: "Email language",
    description: "The language of notification emails.",
    workspaceDefault: "notifications.default_language",
  }),
});
