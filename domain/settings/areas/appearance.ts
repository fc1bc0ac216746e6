/**
 * Workspace defaults of people's display preferences and the themes offered (seed: `available_themes`,
 * `default_theme`, `default_timestamp_format`). A person's own choice wins while it is still offered.
 */
import { z } from "zod";
import { THEME_IDS } from "../../../components/themes.ts";
import { defineSettings, setting } from "../registry.ts";

export const TS_FORMATS = ["relative", "absolute"] as const;
export const TS_POSITIONS = ["right", "tooltip", "below"] as const;

export const appearanceSettings = defineSettings("appearance", {
  "appearance.themes_offered": setting({
    schema: z.array(z.enum(THEME_IDS)).min(1).max(THEME_IDS.length)
      .refine((a) => new Set(a).size === a.length, "each theme once"),
    default: [...THEME_IDS],
    group: "Appearance",
    label: "Themes offered",
    description:
      "The themes people may choose from; someone whose theme is withdrawn gets the default theme.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "appearance.default_theme": setting({
    schema: z.enum(THEME_IDS),
    default: "auto",
    group: "Appearance",
    label: "Default theme",
    description: "The theme of everyone who has not chosen one (must be among the themes offered).",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "appearance.default_timestamp_format": setting({
    schema: z.enum(TS_FORMATS),
    default: "relative",
    group: "Appearance",
    label: "Default timestamp format",
    description: "Relative (2m ago) or absolute (2:15 PM), for everyone who has not chosen.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
  "appearance.default_timestamp_position": setting({
    schema: z.enum(TS_POSITIONS),
    default: "right",
    group: "Appearance",
    label: "Default timestamp position",
    description: "Right of the name, in a tooltip, or below the message, for everyone who has not chosen.",
    permission: "chat.admin_dashboard",
    public: true,
  }),
});
