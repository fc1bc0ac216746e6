/**
 * How one person is told about new messages. The notifications work (e-mail, push) adds its choices here
 * or in its own `areas/<name>.ts` registered in `../catalog.ts`.
 */
import { z } from "zod";
import { definePreferences, preference } from "../../settings/registry.ts";

export const notificationPreferences = definePreferences("notifications", {
  sounds: preference({
    schema: z.boolean(),
    default: true,
    group: "Notifications",
    label: "Notification sounds",
    description: "A sound for new messages and mentions (unless the workspace switched sounds off).",
  }),
  muteAll: preference({
    schema: z.boolean(),
    default: false,
    group: "Notifications",
    label: "Mute all notifications",
    description: "No sounds, no desktop notifications.",
  }),
  desktop: preference({
    schema: z.boolean(),
    default: false,
    group: "Notifications",
    label: "Desktop notifications",
    description: "A desktop notification when the tab is hidden (the browser asks for permission first).",
  }),
});
