/** `/login?next=`: only destinations on Parley's own origin are followed; anything else falls back to /chat. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture } from "../../routes/http.ts";
import { safeNext } from "../../../routes/pages/session.ts";

const HOSTILE = [
  "/\t/other.host/x",
  "//other.host/x",
  "/\\other.host/x",
  "/\\\\other.host",
  "/\n/other.host",
  "/\r\n/other.host",
  "/\u0000/other.host",
  "/..//other.host/x",
  "/./\t/other.host",
  "https://other.host/x",
  "javascript:alert(1)",
  "other.host",
  "",
];

Deno.test("safeNext keeps own paths and refuses every way off the origin", () => {
  for (const n of HOSTILE) assert.equal(safeNext(n), "/chat", JSON.stringify(n));
  assert.equal(safeNext(undefined), "/chat");
  // Still encoded (the query was decoded once already), it is just an odd path on our own origin.
  assert.equal(safeNext("/%09/other.host/x"), "/%09/other.host/x");
  assert.equal(safeNext("/chat/12/34"), "/chat/12/34");
  assert.equal(safeNext("/demo/tickets?x=1#y"), "/demo/tickets?x=1#y");
  assert.equal(safeNext("/a/../demo"), "/demo");
});

dbTest("GET /login?next= never sends a signed-in browser to another site, and never fails", async (db) => {
  const h = await httpFixture(db, { pages: true });
  const q = (next: string) => `/login?next=${next}`;
  for (
    const raw of [
      "/%09/other.host/x",
      "%2F%09%2Fother.host%2Fx",
      "/%0a/other.host",
      "/%5Cother.host",
      "%2F%2Fother.host",
      "https://other.host",
      "%E0%A4%A", // malformed percent-encoding
      "%",
    ]
  ) {
    const r = await h.call("GET", q(raw), { as: "alice", via: "cookie" });
    assert.equal(r.status, 302, raw);
    assert.equal(r.headers.get("location"), "/chat", raw);
    // Not signed in: the form renders with /chat as the destination it will go to.
    const page = await h.call("GET", q(raw));
    assert.equal(page.status, 200, raw);
    assert.match(page.text, /"next":"\/chat"/, raw);
  }
  const ok = await h.call("GET", q("%2Fdemo%2Ftickets"), { as: "alice", via: "cookie" });
  assert.equal(ok.headers.get("location"), "/demo/tickets");
});
