/** Unknown addresses: browsers get an HTML page that says so and links home; API clients keep JSON. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { httpFixture } from "./http.ts";

dbTest("an unknown page is an HTML 404 for a browser and JSON for an API client", async (db) => {
  const h = await httpFixture(db);
  const page = await h.app.request("/nope", { headers: { accept: "text/html,application/xhtml+xml" } });
  assert.equal(page.status, 404);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  const html = await page.text();
  assert.match(html, /<h1>Page not found<\/h1>/);
  assert.match(html, /href="\/chat"/);
  // What the address said is shown escaped, never as markup.
  const evil = await h.app.request("/%3Cscript%3Ex", { headers: { accept: "text/html" } });
  assert.doesNotMatch(await evil.text(), /<script>x/);
  const api = await h.app.request("/api/nope", { headers: { accept: "text/html" } });
  assert.equal(api.status, 404);
  assert.deepEqual((await api.json()).error.code, "not_found");
  const plain = await h.app.request("/nope");
  assert.equal((await plain.json()).error.code, "not_found");
});
