/** Global CSS that utilities cannot express: focus ring, screen-reader-only text, markdown bodies. */
export const BASE_CSS = `html,body{height:100%}body{margin:0;background:var(--p-main);color:var(--p-text);` +
  `font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif,` +
  `"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji","Parley Emoji"}` +
  `.emoji{font-family:"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji","Parley Emoji",sans-serif}` +
  `:focus-visible{outline:2px solid var(--p-focus);outline-offset:2px}` +
  `body.demo-mode{display:flex;flex-direction:column}body.demo-mode>:not(script):not(.demo-banner){flex:1 1 auto;min-height:0}` +
  `.demo-banner{flex:none;margin:0;padding:.25rem .75rem;font-size:.8125rem;text-align:center;background:var(--p-mention-bg);color:var(--p-text)}` +
  `.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}` +
  `dialog::backdrop{background:rgba(0,0,0,.45)}.md p{margin:0}.md p+p{margin-top:.4em}.md a{color:var(--p-link);text-decoration:underline}` +
  `.md code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.875em;background:var(--p-hover);padding:.1em .3em;border-radius:4px}` +
  `.md pre{background:var(--p-input);border:1px solid var(--p-border);padding:.5em .75em;border-radius:6px;overflow-x:auto;margin:.3em 0}` +
  `.md pre code{background:none;padding:0}.md ul{list-style:disc;padding-left:1.4em;margin:.2em 0}` +
  `.md ol{list-style:decimal;padding-left:1.4em;margin:.2em 0}.md blockquote{border-left:3px solid var(--p-border);padding-left:.6em;color:var(--p-muted)}` +
  `.md .mention{background:var(--p-mention-bg);color:var(--p-text);border-radius:4px;padding:0 .15em;font-weight:600}` +
  `.md .chan{color:var(--p-link);font-weight:600}.md-edited,.md-edited>:last-child{display:inline}` +
  `.md table{border-collapse:collapse;margin:.3em 0;display:block;overflow-x:auto}` +
  `.md th,.md td{border:1px solid var(--p-border);padding:.2em .6em;text-align:left}.md th{background:var(--p-hover);font-weight:600}` +
  `.presence-stale [data-presence]{filter:grayscale(1);opacity:.45}` +
  `@keyframes p-flash{from{background:var(--p-mention-bg)}to{background:transparent}}.flash{animation:p-flash 2.5s ease-out}`;
