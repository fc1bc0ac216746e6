/** /api/chat files over HTTP: upload typed by content, limits, serving headers and ranges, who may read, deletion, orphans. */
import assert from "node:assert/strict";
import { dbTest } from "../../helpers/db.ts";
import { type Http, httpFixture, ORIGIN, snapshot, type Who } from "../http.ts";
import { world } from "../world.ts";
import { hasExif, html, jpegWithGps, pdf, svg } from "../../helpers/files.ts";
import * as files from "../../../domain/files.ts";
import * as workspacesRepo from "../../../db/repos/workspaces.ts";

export async function upload(h: Http, as: Who, channelId: number, bytes: Uint8Array, name: string) {
  const res = await h.app.request(
    `${ORIGIN}/api/chat/channels/${channelId}/files?name=${encodeURIComponent(name)}`,
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${h.tokens[as]}`,
        "content-length": String(bytes.length),
        "content-type": "image/png",
      },
      body: bytes as Uint8Array<ArrayBuffer>,
    },
  );
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

export async function fetchFile(h: Http, as: Who, id: number, o: { variant?: string; range?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${h.tokens[as]}` };
  if (o.range) headers.range = o.range;
  const res = await h.app.request(
    `${ORIGIN}/api/chat/files/${id}${o.variant ? `?variant=${o.variant}` : ""}`,
    {
      headers,
    },
  );
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function sendWith(h: Http, as: Who, channelId: number, ids: number[], body = "") {
  return await h.call("POST", `/api/chat/channels/${channelId}/messages`, {
    as,
    body: { clientId: crypto.randomUUID(), body, attachments: ids },
  });
}

dbTest(
  "files: a photo is re-encoded without its EXIF location, with a thumbnail, and served inline",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const photo = await jpegWithGps();
    assert.ok(hasExif(photo));
    const up = await upload(h, "alice", w.general, photo, "holiday.jpg");
    assert.equal(up.status, 201, JSON.stringify(up.json));
    assert.equal(up.json.file.kind, "image");
    assert.equal(up.json.file.mime, "image/jpeg");
    assert.equal(up.json.file.width, 800);
    assert.equal(up.json.file.thumb, true);
    const sent = await sendWith(h, "alice", w.general, [up.json.file.id], "look");
    assert.equal(sent.status, 201, sent.text);
    assert.deepEqual(sent.json.message.attachments.map((a: { id: number }) => a.id), [up.json.file.id]);
    // The live event carries the attachment too.
    const ev = h.f.published.map((e) => e.event).find((e) =>
      e.type === "message_received" && e.message.id === sent.json.message.id
    );
    assert.ok(ev && ev.type === "message_received" && ev.message.attachments?.length === 1);

    const got = await fetchFile(h, "bob", up.json.file.id);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get("content-type"), "image/jpeg");
    assert.match(got.headers.get("content-disposition")!, /^inline; filename="holiday.jpg"/);
    assert.equal(got.headers.get("x-content-type-options"), "nosniff");
    assert.match(got.headers.get("content-security-policy")!, /sandbox/);
    assert.equal(got.bytes[0], 0xff);
    assert.equal(got.bytes[1], 0xd8);
    assert.equal(hasExif(got.bytes), false, "served image has no EXIF");
    const thumb = await fetchFile(h, "bob", up.json.file.id, { variant: "thumb" });
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get("content-type"), "image/webp");
    assert.equal(hasExif(thumb.bytes), false);
    // History carries the attachment.
    const hist = await h.call("GET", `/api/chat/channels/${w.general}/messages`, { as: "bob" });
    assert.equal(hist.json.messages.at(-1).attachments[0].name, "holiday.jpg");
  },
);

dbTest("files: a PDF is a download with ranges; the Files view lists it", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const doc = pdf();
  const up = await upload(h, "bob", w.general, doc, "report.pdf");
  assert.equal(up.status, 201);
  assert.equal(up.json.file.kind, "pdf");
  assert.equal(up.json.file.thumb, false);
  await sendWith(h, "bob", w.general, [up.json.file.id]);
  const full = await fetchFile(h, "alice", up.json.file.id);
  assert.equal(full.headers.get("content-type"), "application/pdf");
  assert.match(full.headers.get("content-disposition")!, /^attachment;/);
  assert.deepEqual(full.bytes, doc);
  const part = await fetchFile(h, "alice", up.json.file.id, { range: "bytes=5-9" });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes 5-9/${doc.length}`);
  assert.deepEqual(part.bytes, doc.subarray(5, 10));
  const bad = await fetchFile(h, "alice", up.json.file.id, { range: `bytes=${doc.length + 5}-` });
  assert.equal(bad.status, 416);
  const list = await h.call("GET", `/api/chat/channels/${w.general}/files`, { as: "alice" });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.files.map((f: { name: string }) => f.name), ["report.pdf"]);
});

dbTest(
  "files: type decided by content: HTML named .png, SVG with script, unknown binary are refused and store nothing",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const before = await snapshot(db);
    for (
      const [bytes, name, mime] of [
        [html(), "cat.png", "text/html"],
        [svg(), "logo.png", "application/xml"],
        [new TextEncoder().encode("   <svg onload=alert(1)>"), "x.txt", "text/html"],
        [
          Uint8Array.from({ length: 300 }, (_, i) => (i * 13 + 1) & 255),
          "blob.bin",
          "application/octet-stream",
        ],
      ] as const
    ) {
      const r = await upload(h, "alice", w.general, bytes, name);
      assert.equal(r.status, 415, `${name}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error.code, "type_not_allowed");
      assert.equal(r.json.error.mime, mime);
      assert.match(r.json.error.message, /cannot be shared/);
    }
    assert.equal(await snapshot(db), before);
    // Plain text is fine.
    const ok = await upload(
      h,
      "alice",
      w.general,
      new TextEncoder().encode("notes: 東京 #4521\n"),
      "notes.png",
    );
    assert.equal(ok.status, 201);
    assert.equal(ok.json.file.mime, "text/plain");
  },
);

dbTest(
  "files: oversize files are refused before anything is stored; the limit is the workspace's setting",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    await workspacesRepo.putSetting(db, h.f.ws, "files.max_bytes", 1000);
    const before = await snapshot(db);
    const r = await upload(h, "alice", w.general, pdf("x".repeat(2000)), "big.pdf");
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, "too_large");
    assert.match(r.json.error.message, /at most 1 KB/);
    assert.equal(await snapshot(db), before);
    const noLength = await h.app.request(`${ORIGIN}/api/chat/channels/${w.general}/files?name=a.pdf`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.tokens.alice}` },
      body: new Blob([pdf() as Uint8Array<ArrayBuffer>]).stream(),
    });
    assert.equal(noLength.status, 411);
  },
);

dbTest(
  "files: the id alone grants nothing (non-member, other workspace, unsent, deleted message)",
  async (db) => {
    const h = await httpFixture(db);
    const w = await world(h.f);
    const up = await upload(h, "alice", w.secret, pdf(), "secret.pdf");
    assert.equal(up.status, 201);
    const id = up.json.file.id;
    // Not sent yet: only its uploader sees it, even the channel's owner does not.
    assert.equal((await fetchFile(h, "alice", id)).status, 200);
    assert.equal((await fetchFile(h, "mod", id)).status, 404);
    const sent = await sendWith(h, "alice", w.secret, [id], "the plan");
    assert.equal(sent.status, 201);
    assert.equal((await fetchFile(h, "mod", id)).status, 200);
    assert.equal((await fetchFile(h, "bob", id)).status, 404, "not a member of the private channel");
    assert.equal((await fetchFile(h, "eve", id)).status, 404, "another workspace");
    assert.equal((await h.call("GET", `/api/chat/channels/${w.secret}/files`, { as: "bob" })).status, 404);
    const noAuth = await h.app.request(`${ORIGIN}/api/chat/files/${id}`);
    assert.equal(noAuth.status, 401);
    // Someone else's file cannot be attached to your message, nor a file twice.
    const before = await snapshot(db);
    const steal = await sendWith(h, "mod", w.secret, [id], "mine now");
    assert.equal(steal.status, 400);
    assert.equal(await snapshot(db), before);
    // Deleting the message deletes the file: rows and bytes.
    const del = await h.call("DELETE", `/api/chat/messages/${sent.json.message.id}`, { as: "alice" });
    assert.equal(del.status, 200);
    assert.equal((await fetchFile(h, "alice", id)).status, 404);
    assert.equal((await db.query("SELECT count(*)::int AS n FROM files"))[0].n, 0);
    assert.equal((await db.query("SELECT count(*)::int AS n FROM file_blobs"))[0].n, 0);
    const gone = await h.call("GET", `/api/chat/messages/${sent.json.message.id}`, { as: "alice" });
    assert.deepEqual(gone.json.message.attachments, []);
  },
);

dbTest("files: uploading needs the right to post and chat.send_files", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const before = await snapshot(db);
  assert.equal((await upload(h, "bob", w.secret, pdf(), "a.pdf")).status, 404);
  assert.equal((await upload(h, "eve", w.general, pdf(), "a.pdf")).status, 404);
  assert.equal((await upload(h, "carol", w.general, pdf(), "a.pdf")).json.error.code, "not_member");
  await db.query("UPDATE users SET role = 'guest' WHERE id = $1", [w.users.bob]);
  assert.equal((await upload(h, "bob", w.general, pdf(), "a.pdf")).status, 403);
  await db.query("UPDATE users SET role = 'member' WHERE id = $1", [w.users.bob]);
  assert.equal(await snapshot(db), before);
});

dbTest("files: unsent uploads are cancelled by their uploader, and orphans are swept", async (db) => {
  const h = await httpFixture(db);
  const w = await world(h.f);
  const a = await upload(h, "alice", w.general, pdf(), "a.pdf");
  const b = await upload(h, "alice", w.general, pdf(), "b.pdf");
  assert.equal((await h.call("DELETE", `/api/chat/files/${a.json.file.id}`, { as: "bob" })).status, 404);
  assert.equal((await h.call("DELETE", `/api/chat/files/${a.json.file.id}`, { as: "alice" })).status, 200);
  assert.equal((await fetchFile(h, "alice", a.json.file.id)).status, 404);
  // Fresh uploads survive a sweep; once older than the orphan time they go, bytes too.
  assert.equal(await files.sweep(h.f.deps, 3600), 0);
  assert.equal((await fetchFile(h, "alice", b.json.file.id)).status, 200);
  await db.query("UPDATE files SET created_at = now() - interval '2 hours'");
  assert.equal(await files.sweep(h.f.deps, 3600), 1);
  assert.equal((await db.query("SELECT count(*)::int AS n FROM file_blobs"))[0].n, 0);
  const late = await sendWith(h, "alice", w.general, [b.json.file.id], "too late");
  assert.equal(late.status, 400);
});
