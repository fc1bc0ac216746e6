/**
 * Workspace settings of notifications (docs/notifications.md): previews in pushes and mails, who may use
 * @here/@channel/@everyone in large channels, the default level per conversation kind, and the defaults of
 * people's own notification preferences (each named as `workspaceDefault` in
 * `domain/preferences/areas/notifications.ts`).
 */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";
import { DefaultLevels, EmailDelay, Language, TimeZone } from "../../notifications/schemas.ts";

const admin = "chat.admin_dashboard" as const;
const G = "Notifications";

export const notificationSettings = defineSettings("notifications", {
  "notifications.previews": setting({
    schema: z.boolean(),
    default: true,
    group: G,
    label: "Message previews",
    description: "Push notifications and mails carry the first lines of messages (off: only who and where).",
    permission: admin,
    public: false,
  }),
  "notifications.broad_mention_threshold": setting({
    schema: z.number().int().min(0).max(100_000),
    default: 10,
    group: G,
    label: "Large channel size for @channel",
    description:
      "In channels with more members than this, only moderators and channel admins can use @here, @channel and @everyone.",
    permission: admin,
    public: false,
  }),
  "notifications.default_levels": setting({
    schema: DefaultLevels,
    default: { dm: "all", group: "all", channel: "mentions" } as z.infer<typeof DefaultLevels>,
    group: G,
    label: "Default levels",
    description: "What notifies per conversation kind until a person picks a level: all, mentions or mute.",
    permission: admin,
    public: false,
  }),
  "notifications.default_email": setting({
    schema: z.boolean(),
    default: true,
    group: G,
    label: "Email unread messages by default",
    description: "Whether people who have not chosen get unread direct messages and mentions by email.",
    permission: admin,
    public: false,
  }),
  "notifications.default_email_delay_minutes": setting({
    schema: EmailDelay,
    default: 60,
    group: G,
    label: "Default email delay",
    description: "Minutes a message waits unread before it is mailed, for people who have not chosen.",
    permission: admin,
    public: false,
  }),
  "notifications.default_push": setting({
    schema: z.boolean(),
    default: true,
    group: G,
    label: "Push by default",
    description: "Whether subscribed devices get pushes for people who have not chosen.",
    permission: admin,
    public: false,
  }),
  "notifications.default_time_zone": setting({
    schema: TimeZone,
    default: "UTC",
    group: G,
    label: "Default time zone",
    description: "The time zone of quiet hours for people who have not chosen one.",
    permission: admin,
    public: false,
  }),
  "notifications.default_language": setting({
    schema: Language,
    default: "en",
    group: G,
    label: "Default email language",
    description: "The language of notification emails for people who have not chosen one.",
    permission: admin,
    public: false,
  }),
});
