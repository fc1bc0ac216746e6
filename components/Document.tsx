/** The HTML shell of every page: theme variables, the built stylesheet, the island's props and script. */
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import { themeCss, type ThemeId } from "./themes.ts";
import { BASE_CSS } from "./styles.ts";
import type { Manifest } from "../cli/build.ts";
import { escapeHtml } from "./html.ts";

export { escapeHtml };

const THEME_CSS = themeCss();

/** Sets the saved theme before first paint so a dark theme never flashes white. */
const THEME_BOOT =
  `try{var p=JSON.parse(localStorage.getItem("parley.prefs")||"{}");if(p.theme)document.documentElement.dataset.theme=p.theme}catch(e){}`;

/** Serialises island props into a JSON script that cannot end the script element early. */
export function jsonScript(id: string, value: unknown): string {
  const json = JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028|\u2029/g, "");
  return `<script type="application/json" id="${id}">${json}</script>`;
}

export interface DocumentProps {
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

/** Renders a whole page to an HTML string. */
export function renderDocument(p: DocumentProps): string {
  const asset = (k: string) => `/static/build/${p.manifest.files[k]}`;
  const body = renderToString(<>{p.children}</>);
  const scripts: string[] = [];
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
    `<link rel="stylesheet" href="${asset("css")}">` +
    `<style>${THEME_CSS}\n${BASE_CSS}</style>` +
    (p.theme ? "" : `<script>${THEME_BOOT}</script>`) +
    `<meta name="parley-assets" content="${
      escapeHtml(JSON.stringify({ css: asset("css"), emoji: asset("emoji") }))
    }">` +
    `</head><body>${body}${scripts.join("")}</body></html>`;
}
