/** The HTML shell of every page: theme variables, the built stylesheet, the island's props and script. */
import type { ComponentChildren } from "preact";
import { createHash } from "node:crypto";
import { renderToString } from "preact-render-to-string";
import { themeCss, type ThemeId } from "./themes.ts";
import { BASE_CSS } from "./styles.ts";
import type { Manifest } from "../cli/build.ts";
import { escapeHtml } from "./html.ts";
import { t } from "../i18n/mod.ts";

export { escapeHtml };

const THEME_CSS = themeCss();

const cssCache = new Map<string, string>();
/** The built stylesheet's text (read once per build). */
function inlineCss(file: string): string {
  let css = cssCache.get(file);
  if (css === undefined) {
    css = Deno.readTextFileSync(new URL(`../static/build/${file}`, import.meta.url)).replace(
      /<\/style/gi,
      "",
    );
    cssCache.set(file, css);
  }
  return css;
}

/** Sets the saved theme before first paint so a dark theme never flashes white. */
const THEME_BOOT =
  `try{var p=JSON.parse(localStorage.getItem("parley.prefs")||"{}");if(p.theme)document.documentElement.dataset.theme=p.theme}catch(e){}`;

/** CSP hashes (`sha256-…`) of the inline scripts pages may carry; the policy allows exactly these. */
export const INLINE_SCRIPT_HASHES = [THEME_BOOT].map((src) =>
  `sha256-${createHash("sha256").update(src, "utf8").digest("base64")}`
);

/** Serialises island props into a JSON script that cannot end the script element early. */
export function jsonScript(id: string, value: unknown): string {
  const json = JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028|\u2029/g, "");
  return `<script type="application/json" id="${id}">${json}</script>`;
}

export interface DocumentProps {
  /** Demo mode: every page carries the demo banner. */
  demo?: boolean;
  title: string;
  manifest: Manifest;
  /** The island entry to load (a key of manifest.files), if any. */
  island?: string;
  props?: unknown;
  /** A second island loaded on the page (the widget on demo pages). */
  extraIsland?: { name: string; props: unknown };
  lang?: string;
  /** The signed-in person's theme (their preference, stored on the server); otherwise this browser's copy. */
  theme?: ThemeId;
  children: ComponentChildren;
}

/** The strip every page shows in demo mode, so nobody mistakes the demo workspace for a real one. */
function demoBanner(): string {
  return `<p class="demo-banner" role="note">${escapeHtml(t("demo.banner"))}</p>`;
}

/** Renders a whole page to an HTML string. */
export function renderDocument(p: DocumentProps): string {
  const asset = (k: string) => `/static/build/${p.manifest.files[k]}`;
  const body = renderToString(<>{p.children}</>);
  const scripts: string[] = [];
  const preload = (k: string) =>
    (p.manifest.preload?.[k] ?? []).map((f) => `<link rel="modulepreload" href="/static/build/${f}">`).join(
      "",
    );
  if (p.island) {
    scripts.push(jsonScript("parley-props", p.props ?? {}));
    scripts.push(`<script type="module" src="${asset(p.island)}"></script>`);
  }
  if (p.extraIsland) {
    scripts.push(jsonScript(`parley-${p.extraIsland.name}-props`, p.extraIsland.props));
    scripts.push(`<script type="module" src="${asset(p.extraIsland.name)}"></script>`);
  }
  return "<!doctype html>" +
    `<html lang="${p.lang ?? "en"}" data-theme="${p.theme ?? "auto"}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(p.title)}</title>` +
    `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">` +
    `<link rel="manifest" href="/manifest.webmanifest"><meta name="theme-color" content="#4f6bed">` +
    // The stylesheet is inlined: small once compressed, and no request holds up the first paint.
    `<style>${inlineCss(p.manifest.files.css)}\n${THEME_CSS}\n${BASE_CSS}</style>` +
    (p.island ? preload(p.island) : "") + (p.extraIsland ? preload(p.extraIsland.name) : "") +
    (p.theme ? "" : `<script>${THEME_BOOT}</script>`) +
    `<meta name="parley-assets" content="${
      escapeHtml(JSON.stringify({ css: asset("css"), emoji: asset("emoji") }))
    }">` +
    `</head><body${p.demo ? ' class="demo-mode"' : ""}>${p.demo ? demoBanner() : ""}${body}${
      scripts.join("")
    }</body></html>`;
}
