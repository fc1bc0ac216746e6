import assert from "node:assert/strict";
import { highlights, isEmpty, parseQuery } from "../../domain/search_query.ts";

Deno.test("search query: words, phrases, exclusions and Slack-style filters", () => {
  const p = parseQuery(
    'deploy "release notes" -draft in:#General in:@bob from:@Alice has:file has:link on:2026-03-01',
  );
  assert.deepEqual(p.terms, ["deploy"]);
  assert.deepEqual(p.phrases, ["release notes"]);
  assert.deepEqual(p.excluded, ["draft"]);
  assert.deepEqual(p.inChannels, ["general"]);
  assert.deepEqual(p.inPeople, ["bob"]);
  assert.deepEqual(p.from, ["alice"]);
  assert.deepEqual(p.has, ["file", "link"]);
  assert.equal(p.on, "2026-03-01");
  const d = parseQuery('before:2026-02-30 after:2026-01-31 -"old plan" #4521 東京');
  assert.equal(d.before, null, "an impossible date is not a filter");
  assert.deepEqual(d.terms, ["before:2026-02-30", "#4521", "東京"]);
  assert.equal(d.after, "2026-01-31");
  assert.deepEqual(d.excluded, ["old plan"]);
  assert.ok(isEmpty(parseQuery("   ")));
  assert.ok(!isEmpty(parseQuery("from:@alice")));
});

Deno.test("search query: highlights mark terms, phrases and words of the same stem", () => {
  const text = "Deployed the release notes; deploy again. 東京で会議";
  const h = highlights(text, { terms: ["deploy", "東京"], phrases: ["release notes"] });
  assert.deepEqual(h.map(([s, e]) => text.slice(s, e)), ["Deployed", "release notes", "deploy", "東京"]);
});
