/** The pages over HTTP (no browser): redirects, the login form, asset caching, the embed loader. */
import assert from "node:assert/strict";
import { startTestServer } from "./browser.ts";
import { readManifest } from "../../cli/build.ts";

Deno.test({
  name: "pages: redirects, login form, immutable assets, embed loader",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const s = await startTestServer();
  try {
    let r = await fetch(`${s.url}/chat/1`, { redirect: "manual" });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), "/login?next=%2Fchat%2F1");
    await r.body?.cancel();

    r = await fetch(`${s.url}/login`);
    const html = await r.text();
    assert.match(html, /<label[^>]*>Username<input[^>]*name="username"/);
    assert.match(html, /type="password"/);
    assert.match(html, /data-theme=light\],\[data-theme=auto\]/);

    const m = (await readManifest())!;
    assert.ok(m.sizes.chat.gzip <= 100 * 1024, `chat bundle ${m.sizes.chat.gzip} bytes gzipped`);
    assert.ok(m.sizes.widget.gzip <= 35 * 1024, `widget bundle ${m.sizes.widget.gzip} bytes gzipped`);
    r = await fetch(`${s.url}/static/build/${m.files.chat}`);
    assert.equal(r.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.match(r.headers.get("content-type")!, /javascript/);
    await r.body?.cancel();
    r = await fetch(`${s.url}/static/build/..%2Fmanifest.json`);
    assert.equal(r.status, 404);
    await r.body?.cancel();

    const login = await fetch(`${s.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: s.url },
      body: JSON.stringify({ username: "alice", password: "parley" }),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    await login.body?.cancel();
    r = await fetch(`${s.url}/chat`, { headers: { cookie } });
    const chat = await r.text();
    assert.match(chat, /role="log"|Pick a conversation/);
    assert.match(chat, /Direct Messages/);
    assert.match(chat, /id="parley-props"/);
    r = await fetch(`${s.url}/demo/tickets`, { headers: { cookie } });
    assert.match(await r.text(), /parley-widget-props/);

    r = await fetch(`${s.url}/embed/widget.js`);
    const js = await r.text();
    assert.ok(js.includes(m.files.widget));
    assert.ok(js.includes("/api/auth/sso"));
    assert.equal(r.headers.get("cache-control"), "public, max-age=300");
  } finally {
    await s.shutdown();
  }
});
