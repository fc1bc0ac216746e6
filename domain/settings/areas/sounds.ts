/** Workspace settings of notification sounds (seed: "Admin System-Wide Controls"). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

export const soundSettings = defineSettings("sounds", {
  "sounds.enabled": setting({
    schema: z.boolean(),
    default: true,
    group: "Notifications",
    label: "Notification sounds",
    description: "Off silences every page for everyone, whatever their own sound preference.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
});
