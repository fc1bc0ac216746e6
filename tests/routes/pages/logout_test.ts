/** Signing out is a POST that ends the session on the server; GET /logout and foreign pages cannot. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture } from "../http.ts";

dbTest("GET /logout signs nobody out; POST /logout ends the session on the server", async (db) => {
  const h = await httpFixture(db, { pages: true });
  const me = () => h.call("GET", "/api/auth/me", { as: "alice" });
  const page = await h.call("GET", "/logout", { as: "alice", via: "cookie" });
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post" action="\/logout"/);
  assert.equal(page.headers.get("set-cookie"), null);
  assert.equal((await me()).status, 200);
  // A foreign page posting the form is refused and changes nothing.
  const foreign = await h.call("POST", "/logout", {
    as: "alice",
    via: "cookie",
    origin: "https://evil.example",
  });
  assert.equal(foreign.status, 403);
  assert.equal((await me()).status, 200);
  const out = await h.call("POST", "/logout", { as: "alice", via: "cookie" });
  assert.equal(out.status, 303);
  assert.equal(out.headers.get("location"), "/login");
  assert.match(out.headers.get("set-cookie")!, /parley_session=;.*Max-Age=0/);
  // The token is dead on the server, not just forgotten by this browser.
  assert.equal((await me()).status, 401);
  assert.equal((await h.call("GET", "/api/auth/me", { as: "alice", via: "cookie" })).status, 401);
  // Bob's session is untouched; signed out, GET /logout just goes to the login page.
  assert.equal((await h.call("GET", "/api/auth/me", { as: "bob" })).status, 200);
  const gone = await h.call("GET", "/logout");
  assert.equal(gone.status, 302);
  assert.equal(gone.headers.get("location"), "/login");
});
