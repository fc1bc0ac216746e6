/** Workspace settings of calls (docs/calls.md). ICE servers and TURN are deployment settings (CALL_* env). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

export const callSettings = defineSettings("calls", {
  "calls.enabled": setting({
    schema: z.boolean(),
    default: true,
    group: "Calls",
    label: "Calls",
    description: "Off hides the call buttons and refuses new calls (calls going on finish).",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "calls.max_participants": setting({
    schema: z.number().int().min(2).max(4),
    default: 4,
    group: "Calls",
    label: "People per call",
    description: "Everyone sends to everyone (a mesh), so at most 4; larger calls need a media server (SFU).",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "calls.rating_prompt": setting({
    schema: z.boolean(),
    default: true,
    group: "Calls",
    label: "Ask for a rating",
    description: "After a call, offer the people in it a one-click rating of its quality.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
});
