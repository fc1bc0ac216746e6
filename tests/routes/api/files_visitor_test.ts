/**
 * A visitor's token (visitor chat) reaches no staff file and no search: visitor attachments have routes of
 * their own (tests/routes/visitor/files_test.ts), and the staff routes never accept a visitor token,
 * whatever header carries it.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture, ORIGIN } from "../http.ts";
import { world } from "../world.ts";
import { newToken } from "../../../islands/visitor/client.ts";
import { pdf } from "../../helpers/files.ts";
import * as connectionsRepo from "../../../db/repos/connections.ts";

dbTest("files and search: a visitor's token gets nothing", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const bytes = pdf() as Uint8Array<ArrayBuffer>;
  const res = await h.app.request(`${ORIGIN}/api/chat/channels/${w.general}/files?name=plan.pdf`, {
    method: "POST",
    headers: { authorization: `Bearer ${h.tokens.alice}`, "content-length": String(bytes.length) },
    body: bytes,
  });
  const up = { json: await res.json() };
  assert.equal(res.status, 201);
  await h.call("POST", `/api/chat/channels/${w.general}/messages`, {
    as: "alice",
    body: { clientId: "v1", body: "plan", attachments: [up.json.file.id] },
  });
  // Someone available, so a visitor conversation can start.
  await db.query("UPDATE users SET permissions = '{chat.public_queue}' WHERE username = 'bob'");
  await connectionsRepo.insertMany(db, [{
    id: crypto.randomUUID(),
    userId: h.f.users.bob.id,
    workspaceId: h.f.ws,
    instanceId: "t",
    page: "",
    userAgent: "",
  }]);
  assert.equal(
    (await h.call("PUT", "/api/visitors/availability", { as: "bob", body: { available: true } })).status,
    200,
  );
  const token = newToken();
  const started = await h.call("POST", "/api/visitor/start", {
    body: { token, name: "Ann", formMs: 4000, message: "hello" },
  });
  assert.equal(started.status, 201, started.text);
  const ways: Record<string, string>[] = [{ "x-parley-visitor": token }, {
    authorization: `Bearer ${token}`,
  }];
  for (const headers of ways) {
    for (const path of [`/api/chat/files/${up.json.file.id}`, "/api/chat/search?q=plan"]) {
      const r = await h.app.request(`${ORIGIN}${path}`, { headers });
      assert.equal(r.status, 401, `${path} with ${Object.keys(headers)[0]}`);
      await r.body?.cancel();
    }
  }
});
