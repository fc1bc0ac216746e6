/** Workspace settings of the people directory (what members see of each other). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

export const directorySettings = defineSettings("directory", {
  "directory.show_emails": setting({
    schema: z.boolean(),
    default: false,
    group: "People",
    label: "Show email addresses",
    description:
      "On: every member sees everyone's email address in profiles and people search. Off: only admins " +
      "(and each person their own).",
    permission: "chat.admin_dashboard",
    public: false,
  }),
});
