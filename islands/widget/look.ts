/**
 * The widget's look, from the public workspace settings `widget.*` (domain/settings/areas/widget.ts). The
 * server sends them validated with defaults filled in, at load and live in `settings_updated`.
 */
import { useEffect, useState } from "preact/hooks";
import type { ParleyClient } from "../../realtime/client.ts";
import type { PublicSettings } from "../../realtime/protocol.ts";
import { onColor } from "../../components/themes.ts";

export type WidgetShape = PublicSettings["widget.shape"];
export type WidgetAnimation = PublicSettings["widget.animation"];
export type WidgetPosition = PublicSettings["widget.position"];

export interface WidgetLook {
  shape: WidgetShape;
  primary: string;
  primaryFg: string;
  accent: string;
  position: WidgetPosition;
  animation: WidgetAnimation;
}

export const DEFAULT_LOOK: WidgetLook = {
  shape: "round",
  primary: "#007bff",
  primaryFg: "#000000",
  accent: "#28a745",
  position: "bottom-right",
  animation: "bounce",
};

/** The look the `widget.*` settings describe. */
export function lookFromSettings(
  s: Pick<PublicSettings, `widget.${string}` & keyof PublicSettings>,
  onColor: (hex: string) => string,
): WidgetLook {
  return {
    shape: s["widget.shape"],
    primary: s["widget.primary_color"],
    primaryFg: onColor(s["widget.primary_color"]),
    accent: s["widget.accent_color"],
    position: s["widget.position"],
    animation: s["widget.animation"],
  };
}

/** The look, replaced live when the admin changes a `widget.*` setting (`settings_updated`). */
export function useLiveLook(client: ParleyClient | null, initial: WidgetLook): WidgetLook {
  const [look, setLook] = useState(initial);
  useEffect(() => {
    if (!client) return;
    return client.on("settings_updated", (e) => {
      if (e.type === "settings_updated") setLook(lookFromSettings(e.settings, onColor));
    });
  }, [client]);
  return look;
}

export const WIDGET_CSS = `
.pw-root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif,"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji","Parley Emoji";font-size:14px;line-height:1.4;color:var(--p-text)}
.pw-btn{--w-size:56px;width:var(--w-size);height:var(--w-size);display:inline-flex;align-items:center;justify-content:center;gap:6px;
  background:var(--w-primary);color:var(--w-primary-fg);box-shadow:0 6px 18px rgba(0,0,0,.25);border:0;cursor:pointer;position:relative}
.pw-round{border-radius:50%}.pw-square{border-radius:0}.pw-rounded_square{border-radius:16px}
.pw-pill{border-radius:999px;width:auto;padding:0 20px;font-weight:700;font-size:15px}
.pw-hexagon{clip-path:polygon(25% 4%,75% 4%,100% 50%,75% 96%,25% 96%,0 50%);border-radius:0;box-shadow:none}
.pw-badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:var(--p-accent);
  color:var(--p-accent-fg);font-size:12px;font-weight:700;display:flex;align-items:center;justify-content:center;border:2px solid #fff}
.pw-hexagon .pw-badge{top:2px;right:6px}
@keyframes pw-bounce{0%,100%{transform:translateY(0)}30%{transform:translateY(-14px)}60%{transform:translateY(-5px)}}
@keyframes pw-pulse{0%,100%{transform:scale(1)}50%{transform:scale(1.15)}}
@keyframes pw-shake{0%,100%{transform:translateX(0)}20%,60%{transform:translateX(-6px)}40%,80%{transform:translateX(6px)}}
@keyframes pw-glow{0%,100%{box-shadow:0 0 0 0 var(--w-accent)}50%{box-shadow:0 0 0 10px transparent,0 0 22px 6px var(--w-accent)}}
@keyframes pw-slide{0%{transform:translateX(120%)}100%{transform:translateX(0)}}
@keyframes pw-slide-left{0%{transform:translateX(-120%)}100%{transform:translateX(0)}}
.pw-anim-bounce{animation:pw-bounce .8s ease}.pw-anim-pulse{animation:pw-pulse .7s ease 2}.pw-anim-shake{animation:pw-shake .6s ease}
.pw-anim-glow{animation:pw-glow 1.2s ease 2}.pw-anim-slide_in{animation:pw-slide .5s ease-out}
.pw-left .pw-anim-slide_in{animation-name:pw-slide-left}
@media (prefers-reduced-motion: reduce){.pw-btn{animation:none!important}}
.pw-panel{width:340px;max-width:calc(100vw - 24px);max-height:min(560px,calc(100vh - 100px))}
`;
