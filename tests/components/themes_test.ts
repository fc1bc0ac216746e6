import assert from "node:assert/strict";
import { contrast, PALETTES, THEME_IDS, themeCss, themeVars } from "../../components/themes.ts";

Deno.test("themes: the nine themes of the seed plus auto, each in the stylesheet", () => {
  assert.deepEqual(THEME_IDS, [
    "auto",
    "light",
    "dark",
    "darcula",
    "midnight",
    "ocean",
    "forest",
    "sunset",
    "high_contrast",
  ]);
  const css = themeCss();
  for (const id of THEME_IDS) assert.ok(css.includes(`[data-theme=${id}]`), id);
  assert.match(css, /prefers-color-scheme: dark/);
});

Deno.test("themes: keep the seed's colours for surfaces and accent", () => {
  const v = themeVars(PALETTES.darcula);
  assert.equal(v["--p-sidebar"], "#2b2b2b");
  assert.equal(v["--p-main"], "#3c3f41");
  assert.equal(v["--p-accent"], "#cc7832");
});

Deno.test("themes: text, muted text and links reach WCAG AA on every surface of every theme", () => {
  for (const [id, p] of Object.entries(PALETTES)) {
    const v = themeVars(p);
    const surfaces = [
      v["--p-sidebar"],
      v["--p-main"],
      v["--p-input"],
      v["--p-selected"],
      v["--p-mention-bg"],
    ];
    for (const fg of ["--p-text", "--p-muted", "--p-link", "--p-danger"]) {
      for (const bg of surfaces) {
        assert.ok(
          contrast(v[fg], bg) >= 4.5,
          `${id}: ${fg} ${v[fg]} on ${bg} is ${contrast(v[fg], bg).toFixed(2)}`,
        );
      }
    }
    assert.ok(
      contrast(v["--p-accent-fg"], v["--p-accent"]) >= 4.5,
      `${id}: accent button text`,
    );
  }
});

Deno.test("avatars: white initials reach 4.5:1 on every avatar colour", async () => {
  const { AVATAR_COLORS } = await import("../../components/ui.tsx");
  for (const c of AVATAR_COLORS) assert.ok(contrast("#ffffff", c) >= 4.5, `${c}: ${contrast("#ffffff", c)}`);
});
