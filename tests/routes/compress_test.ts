/**
 * Compression: brotli or gzip as the client asks, JSON and pages compressed per request above a threshold,
 * the immutable bundles served from their build-time twins, nothing for clients that ask for none.
 */
import assert from "node:assert/strict";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from "node:zlib";
import { dbTest } from "../helpers/db.ts";
import { httpFixture } from "./http.ts";
import { pickEncoding } from "../../routes/middleware/compress.ts";
import { createApp } from "../../routes/app.ts";
import { pageRoutes } from "../../routes/pages/mod.ts";

Deno.test("compression: brotli first, then gzip, honouring q=0", () => {
  assert.equal(pickEncoding("gzip, deflate, br"), "br");
  assert.equal(pickEncoding("gzip"), "gzip");
  assert.equal(pickEncoding("br;q=0, gzip;q=0.5"), "gzip");
  assert.equal(pickEncoding("identity"), null);
  assert.equal(pickEncoding(undefined), null);
});

const brotliAt = (text: string, quality: number) =>
  new Uint8Array(
    brotliCompressSync(new TextEncoder().encode(text), {
      params: { [constants.BROTLI_PARAM_QUALITY]: quality },
    }),
  );

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

dbTest("API answers and pages are compressed; bundles come pre-compressed", async (db) => {
  const h = await httpFixture(db);
  const token = h.tokens.alice;
  const get = (path: string, enc?: string) =>
    h.app.request(`http://localhost${path}`, {
      headers: { authorization: `Bearer ${token}`, ...(enc ? { "accept-encoding": enc } : {}) },
    });
  const plain = await get("/api/openapi.json");
  assert.equal(plain.headers.get("content-encoding"), null);
  const text = await plain.text();
  assert.ok(text.length > 1024);
  const br = await get("/api/openapi.json", "gzip, br");
  assert.equal(br.headers.get("content-encoding"), "br");
  assert.match(br.headers.get("vary") ?? "", /Accept-Encoding/);
  const brBytes = new Uint8Array(await br.arrayBuffer());
  assert.equal(brotliDecompressSync(brBytes).toString(), text);
  // JSON at brotli quality 4 (the bytes of 5 for the API's answers, in two thirds of the time).
  assert.ok(sameBytes(brBytes, brotliAt(text, 4)), "JSON compressed at brotli quality 4");
  const gz = await get("/api/openapi.json", "gzip");
  assert.equal(gz.headers.get("content-encoding"), "gzip");
  assert.equal(gunzipSync(new Uint8Array(await gz.arrayBuffer())).toString(), text);
  // Below the threshold: sent as is.
  const small = await get("/healthz", "br");
  assert.equal(small.headers.get("content-encoding"), null);
  assert.equal((await small.json()).ok, true);

  const app = createApp(h.f.deps, { mounts: [["/", await pageRoutes(h.f.deps, { log: () => {} })]] });
  const login = await app.request("http://localhost/login", { headers: { "accept-encoding": "br" } });
  assert.equal(login.headers.get("content-encoding"), "br");
  const loginBytes = new Uint8Array(await login.arrayBuffer());
  const html = brotliDecompressSync(loginBytes).toString();
  // HTML at quality 5 (smaller than 4 for pages).
  assert.ok(sameBytes(loginBytes, brotliAt(html, 5)), "HTML compressed at brotli quality 5");
  const script = /src="(\/static\/build\/login\.[\w]+\.js)"/.exec(html)![1];
  const bundle = await app.request(`http://localhost${script}`, {
    headers: { "accept-encoding": "br, gzip" },
  });
  assert.equal(bundle.headers.get("content-encoding"), "br");
  assert.match(bundle.headers.get("cache-control") ?? "", /immutable/);
  const js = brotliDecompressSync(new Uint8Array(await bundle.arrayBuffer())).toString();
  const raw = await (await app.request(`http://localhost${script}`)).text();
  assert.equal(js, raw);
  assert.equal((await app.request(`http://localhost${script}.br`)).status, 404);
  // The emoji font Parley serves: declared in the page's styles, fetched only for emoji no local font has.
  const face =
    /@font-face\{font-family:"Parley Emoji"[^}]*url\((\/static\/build\/emoji-font\.\w+\.woff2)\)[^}]*U\+1f4ac/i
      .exec(html);
  assert.ok(face, "a Parley Emoji face covers 💬 (U+1F4AC)");
  const font = await app.request(`http://localhost${face[1]}`);
  assert.equal(font.status, 200);
  assert.equal(font.headers.get("content-type"), "font/woff2");
  assert.equal(new TextDecoder().decode(new Uint8Array(await font.arrayBuffer()).slice(0, 4)), "wOF2");
});
