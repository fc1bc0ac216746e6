/**
 * The message renderer in a real browser (issue 9, item 7): islands/chat/markdown.ts is bundled as the app
 * bundles it and run in Chromium, where DOMPurify really sanitizes. A message cannot carry `class`,
 * `style` or `id` attributes (or any attribute of its own): markup typed into it is text, and only the
 * classes Parley adds after sanitizing (mention pills, channel links) appear.
 */
import assert from "node:assert/strict";
import { browserAvailable, launch } from "../../browser/browser.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

async function bundle(): Promise<string> {
  const esbuild = await import("esbuild");
  try {
    const r = await esbuild.build({
      absWorkingDir: ROOT,
      stdin: {
        contents: `import { renderMarkdown, setKnown } from "./islands/chat/markdown.ts";
          globalThis.md = { renderMarkdown, setKnown };`,
        resolveDir: ROOT,
        loader: "ts",
      },
      bundle: true,
      format: "iife",
      write: false,
      logLevel: "silent",
    });
    return r.outputFiles[0].text;
  } finally {
    await esbuild.stop();
  }
}

Deno.test({
  name: "rendered messages keep no class, style or id from their author; Parley's own classes stay",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const code = await bundle();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.setContent("<!doctype html><html><body><main id='out'></main></body></html>");
    await page.addScriptTag({ content: code });
    const bodies = [
      '<a class="fixed inset-0 z-40 block" href="https://evil.example/">cover the page</a>',
      '<span style="position:fixed;inset:0" id="app">styled</span>',
      '<div class="fixed inset-0"><p class="x" id="y">nested</p></div>',
      "[link](https://example.com/ 'title'){: .fixed}",
      "**bold** and `code` and @alice and #general",
      "```js\nconst x = 1;\n```",
      '<img src=x onerror="window.__xss=1"> <svg onload="window.__xss=2"></svg>',
    ];
    const out = await page.evaluate((bodies) => {
      // deno-lint-ignore no-explicit-any
      const md = (globalThis as any).md;
      md.setKnown({
        users: new Map([["alice", 7], ["bob", 8]]),
        channels: new Map([["general", 3]]),
        me: "alice",
      });
      const main = document.getElementById("out")!;
      return bodies.map((b: string) => {
        main.innerHTML = md.renderMarkdown(b);
        const attrs = [...main.querySelectorAll("*")].flatMap((el) =>
          [...el.attributes].map((a) => `${el.tagName.toLowerCase()}[${a.name}=${a.value}]`)
        );
        return { html: main.innerHTML, text: main.textContent, attrs };
      });
    }, bodies);
    for (const [i, r] of out.entries()) {
      for (const a of r.attrs) {
        const [, name] = /\[([^=]+)=/.exec(a)!;
        assert.ok(["href", "title", "target", "rel", "class", "data-user", "data-chan"].includes(name), a);
        if (name === "class") {
          assert.match(a, /^(span\[class=mention( me)?\]|a\[class=chan\])$/, `${bodies[i]} -> ${a}`);
        }
      }
      assert.ok(!/fixed|inset|z-40|position|id=/.test(r.attrs.join(" ")), `${bodies[i]} -> ${r.html}`);
    }
    // Typed markup is shown as text, not dropped silently.
    assert.equal(
      out[0].text.trim(),
      '<a class="fixed inset-0 z-40 block" href="https://evil.example/">cover the page</a>',
    );
    for (const want of ["span[data-user=7]", "span[class=mention me]", "a[href=/chat/3]", "a[class=chan]"]) {
      assert.ok(out[4].attrs.includes(want), `${want} in ${out[4].attrs.join(" ")}`);
    }
    assert.ok(out[3].attrs.includes("a[href=https://example.com/]"));
    assert.ok(out[3].attrs.includes("a[target=_blank]"));
    assert.equal(await page.evaluate(() => "__xss" in globalThis), false);
  } finally {
    await browser.close();
  }
});
