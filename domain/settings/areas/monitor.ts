/** Workspace settings of Monitor (seed 001: "the people in a monitored conversation can be told so"). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

export const monitorSettings = defineSettings("monitor", {
  "monitor.notice": setting({
    schema: z.boolean(),
    default: false,
    group: "Monitor",
    label: "Tell people conversations may be monitored",
    description:
      "On: every conversation shows the notice below under its header, since holders of chat.monitor_all can read any conversation (and each read is in the audit log).",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "monitor.notice_text": setting({
    schema: z.string().trim().min(1).max(200),
    default: "Messages in this workspace may be reviewed by administrators.",
    group: "Monitor",
    label: "Monitoring notice",
    description: "The text of the notice in each conversation.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
});
