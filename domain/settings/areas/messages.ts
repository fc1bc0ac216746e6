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
});
