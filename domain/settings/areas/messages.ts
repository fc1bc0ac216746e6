/** Workspace settings of messages. */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

export const messageSettings = defineSettings("messages", {
  "messages.edit_window_seconds": setting({
    schema: z.number().int().min(0).max(86_400),
    default: 180,
    group: "Messages",
    label: "Edit window",
    description: "How many seconds after sending people may still edit or delete their own messages.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "messages.retention_days": setting({
    schema: z.number().int().min(0).max(36_500),
    default: 0,
    group: "Retention",
    label: "Keep messages for (days)",
    description:
      "Messages older than this are deleted for good (text, reactions, files) by a job that runs " +
      "every hour, except in channels on legal hold. 0 keeps everything (seed 004 suggests 90).",
    permission: "chat.admin_dashboard",
    public: false,
  }),
});
