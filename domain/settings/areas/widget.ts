/** Workspace settings of the floating chat widget's look (seed: "Widget Customization Tab"). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

const hex = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour as #rrggbb");

export const WIDGET_SHAPES = ["round", "square", "rounded_square", "pill", "hexagon"] as const;
export const WIDGET_POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left"] as const;
export const WIDGET_ANIMATIONS = ["bounce", "pulse", "shake", "glow", "slide_in", "none"] as const;

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
});
