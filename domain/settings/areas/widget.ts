/** Workspace settings of the floating chat widget's look (seed: "Widget Customization Tab"). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

const hex = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour as #rrggbb");

export const WIDGET_SHAPES = ["round", "square", "rounded_square", "pill", "hexagon"] as const;
export const WIDGET_POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left"] as const;
export const WIDGET_ANIMATIONS = ["bounce", "pulse", "shake", "glow", "slide_in", "none"] as const;

/** `https://host[:port]` and nothing more (no path, query or credentials). */
function isOrigin(u: string): boolean {
  try {
    const url = new URL(u);
    return /^https?:$/.test(url.protocol) && url.origin === u.replace(/\/$/, "");
  } catch {
    return false;
  }
}

export const widgetSettings = defineSettings("widget", {
  "widget.shape": setting({
    schema: z.enum(WIDGET_SHAPES),
    default: "round",
    group: "Widget",
    label: "Button shape",
    description: "The shape of the floating chat button.",
    permission: "chat.customize_widget",
    public: true,
  }),
  "widget.primary_color": setting({
    schema: hex,
    default: "#007bff",
    group: "Widget",
    label: "Button colour",
    description: "The button's colour; its text colour is picked for contrast.",
    permission: "chat.customize_widget",
    public: true,
  }),
  "widget.accent_color": setting({
    schema: hex,
    default: "#28a745",
    group: "Widget",
    label: "Accent colour",
    description: "The colour of the glow animation.",
    permission: "chat.customize_widget",
    public: true,
  }),
  "widget.position": setting({
    schema: z.enum(WIDGET_POSITIONS),
    default: "bottom-right",
    group: "Widget",
    label: "Position",
    description: "The corner of the page the button sits in; the panel opens towards the middle.",
    permission: "chat.customize_widget",
    public: true,
  }),
  "widget.animation": setting({
    schema: z.enum(WIDGET_ANIMATIONS),
    default: "bounce",
    group: "Widget",
    label: "New-message animation",
    description: "How the button catches the eye when a message arrives (skipped for reduced motion).",
    permission: "chat.customize_widget",
    public: true,
  }),
  "widget.host_origins": setting({
    schema: z.array(
      z.string().max(200).refine(isOrigin, {
        message: "an origin: scheme, host and port only (https://app.example.com)",
      }),
    ).max(50),
    default: [] as string[],
    group: "Widget",
    label: "Host applications",
    description:
      "Origins of host applications that may embed the staff widget with their signed JWT (none: only behind a same-origin proxy).",
    permission: "chat.admin_dashboard",
    public: false,
  }),
});
