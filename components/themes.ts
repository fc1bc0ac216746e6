/**
 * The chat themes of the full Orvale plan ("Chat Theme System"), as CSS variables so a theme switches
 * without a reload: `<html data-theme="dark">` (or any element with `data-theme`) picks a palette, and every
 * colour in the UI is `var(--p-…)`. The seed's colours are kept; text colours that fell short of WCAG AA
 * contrast on their backgrounds are nudged until they reach 4.5:1 (the seed's High Contrast theme put white
 * text on a white message area, so its message area is black here).
 */

export const THEME_IDS = [
  "auto",
  "light",
  "dark",
  "darcula",
  "midnight",
  "ocean",
  "forest",
  "sunset",
  "high_contrast",
] as const;
export type ThemeId = typeof THEME_IDS[number];

export interface Palette {
  sidebar: string;
  messageArea: string;
  inputBg: string;
  textPrimary: string;
  textSecondary: string;
  border: string;
  accent: string;
  highlight?: string;
  dark: boolean;
}

export const PALETTES: Record<Exclude<ThemeId, "auto">, Palette> = {
  light: {
    sidebar: "#f8f9fa",
    messageArea: "#ffffff",
    inputBg: "#ffffff",
    textPrimary: "#212529",
    textSecondary: "#6c757d",
    border: "#dee2e6",
    accent: "#007bff",
    dark: false,
  },
  dark: {
    sidebar: "#2f3349",
    messageArea: "#36393f",
    inputBg: "#40444b",
    textPrimary: "#dcddde",
    textSecondary: "#8e9297",
    border: "#484c52",
    accent: "#7289da",
    dark: true,
  },
  darcula: {
    sidebar: "#2b2b2b",
    messageArea: "#3c3f41",
    inputBg: "#45494a",
    textPrimary: "#a9b7c6",
    textSecondary: "#808080",
    border: "#555555",
    accent: "#cc7832",
    highlight: "#ffc66d",
    dark: true,
  },
  midnight: {
    sidebar: "#0d1421",
    messageArea: "#161b22",
    inputBg: "#21262d",
    textPrimary: "#c9d1d9",
    textSecondary: "#7c8b97",
    border: "#30363d",
    accent: "#58a6ff",
    dark: true,
  },
  ocean: {
    sidebar: "#0e4b5a",
    messageArea: "#1a5f6f",
    inputBg: "#237284",
    textPrimary: "#e0f2e7",
    textSecondary: "#a8c8ce",
    border: "#2d8596",
    accent: "#4fb3d9",
    dark: true,
  },
  forest: {
    sidebar: "#1a2e1a",
    messageArea: "#2d4a2d",
    inputBg: "#3d5a3d",
    textPrimary: "#e8f5e8",
    textSecondary: "#b8d4b8",
    border: "#4d6a4d",
    accent: "#6fbf73",
    dark: true,
  },
  sunset: {
    sidebar: "#2d1b1b",
    messageArea: "#4a2c2c",
    inputBg: "#5c3636",
    textPrimary: "#f5e8e8",
    textSecondary: "#d4b8b8",
    border: "#6a4d4d",
    accent: "#ff8c69",
    dark: true,
  },
  high_contrast: {
    sidebar: "#000000",
    messageArea: "#000000",
    inputBg: "#000000",
    textPrimary: "#ffffff",
    textSecondary: "#cccccc",
    border: "#ffffff",
    accent: "#ffff00",
    dark: true,
  },
};

// ---- contrast ----------------------------------------------------------------------------------

function rgb(hex: string): [number, number, number] {
  const h = hex.replace("#", "");
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

function hex([r, g, b]: number[]): string {
  return "#" + [r, g, b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
}

function luminance(c: string): number {
  const [r, g, b] = rgb(c).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Moves `fg` toward white (on dark backgrounds) or black until it reaches `ratio` against every bg. */
export function ensureContrast(fg: string, bgs: string[], ratio = 4.5): string {
  const dark = bgs.reduce((s, b) => s + luminance(b), 0) / bgs.length < 0.2;
  const target = dark ? [255, 255, 255] : [0, 0, 0];
  let c = fg;
  for (let i = 0; i < 40 && bgs.some((b) => contrast(c, b) < ratio); i++) {
    const [r, g, b] = rgb(c);
    c = hex([r + (target[0] - r) * 0.08, g + (target[1] - g) * 0.08, b + (target[2] - b) * 0.08]);
  }
  return c;
}

/** Black or white, whichever reads better on `bg`. */
export function onColor(bg: string): string {
  return contrast("#000000", bg) >= contrast("#ffffff", bg) ? "#000000" : "#ffffff";
}

/** Mixes `pct` percent of colour a into colour b (like CSS color-mix in srgb). */
export function mix(a: string, pct: number, b: string): string {
  const [x, y] = [rgb(a), rgb(b)];
  return hex(x.map((v, i) => v * pct / 100 + y[i] * (1 - pct / 100)));
}

/** The CSS variables of one palette. */
export function themeVars(p: Palette): Record<string, string> {
  const selected = mix(p.accent, 22, p.sidebar);
  const mention = mix(p.highlight ?? "#f5b700", 22, p.messageArea);
  const hover = mix(p.textPrimary, 8, p.messageArea);
  const areas = [p.sidebar, p.messageArea, p.inputBg, selected, mention, hover];
  const danger = ensureContrast(p.dark ? "#ff6b6b" : "#c82333", areas);
  return {
    "--p-sidebar": p.sidebar,
    "--p-main": p.messageArea,
    "--p-input": p.inputBg,
    "--p-text": ensureContrast(p.textPrimary, areas, 7),
    "--p-muted": ensureContrast(p.textSecondary, areas),
    "--p-border": p.border,
    "--p-accent": p.accent,
    "--p-accent-fg": onColor(p.accent),
    "--p-link": ensureContrast(p.highlight ?? p.accent, areas),
    "--p-danger": danger,
    "--p-danger-bg": p.dark ? "#5c1f24" : "#f8d7da",
    "--p-ok": "#2fb344",
    "--p-away": "#f5b700",
    "--p-busy": "#e03e4f",
    "--p-offline": "#8a8f98",
    "--p-badge": p.dark ? "#e11d48" : "#d62839",
    "--p-badge-fg": "#ffffff",
    "--p-hover": hover,
    "--p-selected": selected,
    "--p-mention-bg": mention,
    "--p-focus": p.highlight ?? p.accent,
    "color-scheme": p.dark ? "dark" : "light",
  };
}

function block(selector: string, vars: Record<string, string>): string {
  return `${selector}{${Object.entries(vars).map(([k, v]) => `${k}:${v}`).join(";")}}`;
}

/** One stylesheet with every theme: `[data-theme=…]` selectors, "auto" following the system. */
export function themeCss(): string {
  const parts: string[] = [];
  for (const [id, p] of Object.entries(PALETTES)) {
    const sel = id === "light" ? `[data-theme=light],[data-theme=auto]` : `[data-theme=${id}]`;
    parts.push(block(sel, themeVars(p)));
  }
  parts.push(`@media (prefers-color-scheme: dark){${block("[data-theme=auto]", themeVars(PALETTES.dark))}}`);
  return parts.join("\n");
}

/** Resolves "auto" against the system setting (browser only; "light" elsewhere). */
export function resolveTheme(id: ThemeId): Exclude<ThemeId, "auto"> {
  if (id !== "auto") return id;
  const dark = typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
  return dark ? "dark" : "light";
}
