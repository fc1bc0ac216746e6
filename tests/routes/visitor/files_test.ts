/**
 * Visitor attachments: a visitor attaches an image in the chat; it passes the same checks as staff files
 * (type by content, size, EXIF gone), arrives as a message the agent sees and can open. Another visitor's
 * token, staff holding another conversation and made-up tokens get nothing; refused uploads change nothing.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { httpFixture, ORIGIN } from "../http.ts";
import { hasExif, html, jpegWithGps, pdf } from "../../helpers/files.ts";
import { newToken } from "../../../islands/visitor/client.ts";
import * as connectionsRepo from "../../../db/repos/connections.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";

dbTest("a visitor's file reaches its own conversation's agent and nobody else", async (db) => {
  const h = await httpFixture(db);
  await db.query("UPDATE users SET permissions = '{chat.public_queue}' WHERE username IN ('alice','bob')");
  for (const u of [h.f.users.alice, h.f.users.bob]) {
    await connectionsRepo.insertMany(db, [{
      id: crypto.randomUUID(),
      userId: u.id,
      workspaceId: h.f.ws,
      instanceId: "t",
      page: "",
      userAgent: "",
    }]);
  }
  for (const who of ["alice", "bob"] as const) {
    await h.call("PUT", "/api/visitors/availability", { as: who, body: { available: true } });
  }
  const start = async (name: string) => {
    const token = newToken();
    const r = await h.call("POST", "/api/visitor/start", { body: { token, name, formMs: 4000 } });
    assert.equal(r.status, 201, r.text);
    return { token, id: r.json.conversation.id as number };
  };
  const A = await start("Ann");
  const B = await start("Ben");
  assert.equal(
    (await h.call("POST", `/api/visitors/conversations/${A.id}/claim`, { as: "alice" })).status,
    200,
  );
  assert.equal(
    (await h.call("POST", `/api/visitors/conversations/${B.id}/claim`, { as: "bob" })).status,
    200,
  );

  const upload = async (token: string | null, bytes: Uint8Array, name: string, length = true) => {
    const headers: Record<string, string> = {};
    if (token) headers["x-parley-visitor"] = token;
    if (length) headers["content-length"] = String(bytes.length);
    const res = await h.app.request(`${ORIGIN}/api/visitor/files?name=${encodeURIComponent(name)}`, {
      method: "POST",
      headers,
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  };
  const get = (path: string, headers: Record<string, string> = {}) =>
    h.app.request(`${ORIGIN}${path}`, { headers });

  // Ann attaches a photo: stored without its EXIF, sent as a message that carries it.
  const photo = await jpegWithGps(400, 300);
  const up = await upload(A.token, photo, "holiday.jpg");
  assert.equal(up.status, 201, JSON.stringify(up.json));
  const file = up.json.message.file;
  assert.equal(up.json.message.body, "holiday.jpg");
  assert.equal(file.kind, "image");
  assert.equal(file.thumb, true);
  const own = await get(`/api/visitor/files/${file.id}`, { "x-parley-visitor": A.token });
  assert.equal(own.status, 200);
  assert.equal(own.headers.get("x-content-type-options"), "nosniff");
  assert.equal(hasExif(new Uint8Array(await own.arrayBuffer())), false, "EXIF/GPS removed");
  const thumb = await get(`/api/visitor/files/${file.id}?variant=thumb`, { "x-parley-visitor": A.token });
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers.get("content-type"), "image/webp");
  await thumb.body?.cancel();

  // The agent holding the conversation sees the message and opens the file.
  const conv = await h.call("GET", `/api/visitors/conversations/${A.id}`, { as: "alice" });
  const carried = conv.json.messages.find((m: { file: { id: number } | null }) => m.file?.id === file.id);
  assert.ok(carried, "the agent sees the attachment in the conversation");
  const staffGet = await h.app.request(`${ORIGIN}/api/visitors/files/${file.id}`, {
    headers: { authorization: `Bearer ${h.tokens.alice}` },
  });
  assert.equal(staffGet.status, 200);
  assert.equal(staffGet.headers.get("content-type"), "image/jpeg");
  await staffGet.body?.cancel();

  // Nobody else: another visitor, no token, a made-up token, staff holding another conversation,
  // a visitor token on the staff route.
  const refusals: [string, Record<string, string>, number][] = [
    [`/api/visitor/files/${file.id}`, { "x-parley-visitor": B.token }, 404],
    [`/api/visitor/files/${file.id}?variant=thumb`, { "x-parley-visitor": B.token }, 404],
    [`/api/visitor/files/${file.id}`, {}, 401],
    [`/api/visitor/files/${file.id}`, { "x-parley-visitor": newToken() }, 401],
    [`/api/visitors/files/${file.id}`, { authorization: `Bearer ${h.tokens.bob}` }, 403],
    [`/api/visitors/files/${file.id}`, { authorization: `Bearer ${h.tokens.eve}` }, 404], // another workspace
    [`/api/visitors/files/${file.id}`, { authorization: `Bearer ${A.token}` }, 401],
    [`/api/visitors/files/${file.id}`, { "x-parley-visitor": A.token }, 401],
    [`/api/visitor/files/${file.id + 1000}`, { "x-parley-visitor": A.token }, 404],
  ];
  for (const [path, headers, status] of refusals) {
    const r = await get(path, headers);
    const body = new Uint8Array(await r.arrayBuffer());
    assert.equal(r.status, status, `${path} ${JSON.stringify(headers)}`);
    assert.ok(body.length < 400, "no bytes of the file");
  }
  const bView = await h.call("GET", "/api/visitor/conversation", {
    headers: { "x-parley-visitor": B.token },
  });
  assert.doesNotMatch(bView.text, /holiday/, "B's conversation does not carry A's file");

  // What an upload would change (the conversation row's "last seen" moves with any visitor call).
  const snapshot = async (d: typeof db) =>
    JSON.stringify([
      await d.query("SELECT * FROM visitor_files ORDER BY id"),
      await d.query("SELECT id, body, file_id FROM visitor_messages ORDER BY id"),
      await d.query("SELECT key, part FROM file_blobs ORDER BY key, part"),
    ]);
  // Refused uploads change nothing: disguised HTML, no length, no token, too large, switched off, ended.
  const snap = await snapshot(db);
  assert.equal((await upload(B.token, html(), "invoice.pdf")).status, 415);
  assert.equal((await upload(B.token, pdf(), "a.pdf", false)).status, 411);
  assert.equal((await upload(null, pdf(), "a.pdf")).status, 401);
  assert.equal((await upload(newToken(), pdf(), "a.pdf")).status, 401);
  await workspacesRepo.putSetting(db, h.f.ws, "files.max_bytes", 1024);
  assert.equal((await upload(B.token, photo, "big.jpg")).status, 413);
  await workspacesRepo.putSetting(db, h.f.ws, "files.max_bytes", 10 * 1024 * 1024);
  await workspacesRepo.putSetting(db, h.f.ws, "visitor.attachments", false);
  assert.equal((await upload(B.token, pdf(), "a.pdf")).status, 403);
  await workspacesRepo.putSetting(db, h.f.ws, "visitor.attachments", true);
  assert.equal(await snapshot(db), snap, "nothing stored by a refused upload");
  await h.call("POST", "/api/visitor/end", { headers: { "x-parley-visitor": B.token } });
  const afterEnd = await snapshot(db);
  assert.equal((await upload(B.token, pdf(), "late.pdf")).status, 409);
  assert.equal(await snapshot(db), afterEnd);
  // A PDF is fine while chatting, and is served as a download.
  const doc = await upload(A.token, pdf(), "report.pdf");
  assert.equal(doc.status, 201);
  const d = await get(`/api/visitor/files/${doc.json.message.file.id}`, { "x-parley-visitor": A.token });
  assert.match(d.headers.get("content-disposition") ?? "", /^attachment/);
  await d.body?.cancel();
});
