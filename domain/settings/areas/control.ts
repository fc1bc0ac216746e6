/** Workspace settings of the admin console's control panel (seed 001: "Control panel"). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

export const controlSettings = defineSettings("control", {
  "control.maintenance": setting({
    schema: z.boolean(),
    default: false,
    group: "Control panel",
    label: "Maintenance mode",
    description:
      "On: everyone except administrators sees a maintenance banner and cannot send; off restores it without a reload.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "control.maintenance_message": setting({
    schema: z.string().trim().max(300),
    default: "Parley is under maintenance. You can read, but sending is paused for a few minutes.",
    group: "Control panel",
    label: "Maintenance message",
    description: "The text of the maintenance banner.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
});
