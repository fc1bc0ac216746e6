/** A live preview of the floating chat button with the values being edited (not yet saved). */
import { useState } from "preact/hooks";
import { onColor } from "../../components/themes.ts";
import { WIDGET_CSS } from "../widget/look.ts";
import { btn } from "./ui.tsx";

export function WidgetPreview({ values }: { values: Record<string, unknown> }) {
  const [play, setPlay] = useState(0);
  const shape = String(values["widget.shape"]);
  const primary = String(values["widget.primary_color"]);
  const accent = String(values["widget.accent_color"]);
  const position = String(values["widget.position"]);
  const animation = String(values["widget.animation"]);
  const [v, h] = position.split("-");
  const style =
    `--w-primary:${primary};--w-primary-fg:${onColor(primary)};--w-accent:${accent};position:absolute;` +
    `${v}:12px;${h}:12px`;
  return (
    <section aria-label="Widget preview" class="rounded border border-line p-2">
      <style>{WIDGET_CSS}</style>
      <p class="text-sm font-semibold mb-2">Preview</p>
      <div
        class="relative h-56 rounded bg-sidebar border border-line overflow-hidden pw-root"
        data-testid="preview"
      >
        <button
          key={play}
          type="button"
          aria-label="Preview of the chat button"
          data-shape={shape}
          data-position={position}
          class={`pw-btn pw-${shape} ${play && animation !== "none" ? `pw-anim-${animation}` : ""}`}
          style={style}
        >
          {shape === "pill" ? <span>Chat</span> : <span aria-hidden="true">💬</span>}
        </button>
      </div>
      <button class={`${btn} mt-2`} type="button" onClick={() => setPlay(play + 1)}>Play animation</button>
    </section>
  );
}
