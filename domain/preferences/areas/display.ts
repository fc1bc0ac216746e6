/** How the chat looks to one person (seed: `user_chat_preferences`). */
import { z } from "zod";
import { THEME_IDS } from "../../../components/themes.ts";
import { TS_FORMATS, TS_POSITIONS } from "../../settings/areas/appearance.ts";
import { definePreferences, preference } from "../../settings/registry.ts";

export const displayPreferences = definePreferences("display", {
  theme: preference({
    schema: z.enum(THEME_IDS),
    default: "auto",
    group: "Display",
    label: "Chat theme",
    description: "The colours of the chat, the widget and every Parley page (only the themes offered).",
    workspaceDefault: "appearance.default_theme",
  }),
  tsFormat: preference({
    schema: z.enum(TS_FORMATS),
    default: "relative",
    group: "Display",
    label: "Timestamps",
    description: "Relative (2m ago) or absolute (2:15 PM).",
    workspaceDefault: "appearance.default_timestamp_format",
  }),
  tsPosition: preference({
    schema: z.enum(TS_POSITIONS),
    default: "right",
    group: "Display",
    label: "Timestamp position",
    description: "Right of the name, in a tooltip, or below the message.",
    workspaceDefault: "appearance.default_timestamp_position",
  }),
});
