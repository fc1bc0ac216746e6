/** The HTML 404 page browsers get for an unknown address (API clients keep the JSON error). */
import { themeCss } from "./themes.ts";
import { BASE_CSS } from "./styles.ts";
import { escapeHtml } from "./html.ts";

/** Whether the request comes from a browser navigating (not an API call). */
export function wantsHtml(path: string, accept: string | undefined): boolean {
  return !path.startsWith("/api/") && !path.startsWith("/static/") && /text\/html/.test(accept ?? "");
}

export function notFoundPage(path: string): string {
  return "<!doctype html>" +
    `<html lang="en" data-theme="auto"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>Page not found · Parley</title><link rel="icon" href="/static/favicon.svg" type="image/svg+xml">` +
    `<style>${themeCss()}\n${BASE_CSS}` +
    `main{max-width:32rem;margin:15vh auto;padding:0 1.5rem;line-height:1.5}h1{font-size:1.75rem;margin:0 0 .5rem}` +
    `a{color:var(--p-link);font-weight:600}code{background:var(--p-hover);padding:.1em .3em;border-radius:4px}</style>` +
    `<script>try{var p=JSON.parse(localStorage.getItem("parley.prefs")||"{}");if(p.theme)document.documentElement.dataset.theme=p.theme}catch(e){}</script>` +
    `</head><body><main><h1>Page not found</h1>` +
    `<p>There is nothing at <code>${escapeHtml(path)}</code>. The link may be old or mistyped.</p>` +
    `<p><a href="/chat">Go to your conversations</a></p></main></body></html>`;
}
