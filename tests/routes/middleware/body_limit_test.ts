/**
 * Body limits on every route before the body is read: a declared Content-Length over the limit is refused
 * without reading anything, a streamed body is cut off at the limit, and a route can have its own limit.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { dbTest } from "../../helpers/db.ts";
import { fixture } from "../../helpers/fixture.ts";
import { createApp } from "../../../routes/app.ts";
import type { AppEnv } from "../../../routes/env.ts";
import { jsonBody } from "../../../routes/middleware/errors.ts";

/** Sends raw HTTP/1.1 and returns the status line's code and the body, writing `chunks` until refused. */
async function raw(port: number, head: string, chunks: Iterable<Uint8Array> = []) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const enc = new TextEncoder();
  let sent = 0;
  try {
    await conn.write(enc.encode(head));
    const reading = (async () => {
      const buf = new Uint8Array(64 * 1024);
      let text = "";
      for (;;) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) return text;
        text += new TextDecoder().decode(buf.subarray(0, n));
        if (/\r\n\r\n[\s\S]*\}/.test(text)) return text;
      }
    })();
    let answered = false;
    reading.then(() => (answered = true));
    for (const c of chunks) {
      if (answered) break;
      try {
        await conn.write(c);
        sent += c.length;
      } catch {
        break; // the server closed the connection: refused mid-stream
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    const text = await reading;
    return { status: Number(text.slice(9, 12)), body: text.slice(text.indexOf("\r\n\r\n") + 4), sent };
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

function* chunked(total: number, size = 32 * 1024) {
  const enc = new TextEncoder();
  const payload = new Uint8Array(size).fill(0x61);
  for (let n = 0; n < total; n += size) {
    yield enc.encode(`${size.toString(16)}\r\n`);
    yield payload;
    yield enc.encode("\r\n");
  }
  yield enc.encode("0\r\n\r\n");
}

dbTest("oversized bodies are refused before they are read, declared or streamed", async (db) => {
  const f = await fixture(db, { config: { sso: { hsSecret: "x".repeat(40), maxLifetimeSeconds: 600 } } });
  let reached = 0;
  const upload = new Hono<AppEnv>().post("/", async (c) => {
    reached++;
    return c.json({ bytes: (await c.req.arrayBuffer()).byteLength });
  });
  const echo = new Hono<AppEnv>().post("/", async (c) => {
    reached++;
    return c.json({ bytes: JSON.stringify(await jsonBody(c)).length });
  });
  const app = createApp(f.deps, {
    mounts: [["/api/test-upload", upload], ["/api/test-echo", echo]],
    bodyLimits: [{ prefix: "/api/test-upload", maxBytes: 1024 * 1024 }],
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  const port = server.addr.port;
  try {
    // 150 MB declared: refused at once, nothing sent after the headers.
    const declared = await raw(
      port,
      "POST /api/auth/sso HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 157286400\r\n\r\n",
    );
    assert.equal(declared.status, 413);
    assert.equal(JSON.parse(declared.body).error.code, "too_large");
    // Streamed without a length: cut off soon after the 256 KiB default, not after the 20 MB offered.
    const streamed = await raw(
      port,
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      chunked(20 * 1024 * 1024),
    );
    assert.equal(streamed.status, 413);
    assert.ok(streamed.sent < 8 * 1024 * 1024, `sent ${streamed.sent} bytes before the refusal`);
    // A route with its own limit takes more; the default still applies next to it.
    const big = JSON.stringify({ pad: "b".repeat(600 * 1024) });
    const viaRule = await fetch(`http://127.0.0.1:${port}/api/test-upload`, { method: "POST", body: big });
    assert.equal(viaRule.status, 200);
    assert.equal((await viaRule.json()).bytes, big.length);
    const elsewhere = await fetch(`http://127.0.0.1:${port}/api/test-echo`, { method: "POST", body: big });
    assert.equal(elsewhere.status, 413);
    await elsewhere.body?.cancel();
    const tooBig = await fetch(`http://127.0.0.1:${port}/api/test-upload`, {
      method: "POST",
      body: "u".repeat(1024 * 1024 + 1),
    });
    assert.equal(tooBig.status, 413);
    await tooBig.body?.cancel();
    assert.equal(reached, 1);
    // The upload route streams large files: it needs a declared length (nothing buffers a chunked body)
    // and takes up to the largest file size a workspace may allow.
    const chunkedUpload = await raw(
      port,
      "POST /api/chat/channels/1/files HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
      chunked(4 * 1024 * 1024),
    );
    assert.equal(chunkedUpload.status, 411);
    const hugeUpload = await raw(
      port,
      "POST /api/chat/channels/1/files HTTP/1.1\r\nHost: x\r\nContent-Length: 2147483648\r\n\r\n",
    );
    assert.equal(hugeUpload.status, 413);
    // Small bodies pass as before.
    const ok = await fetch(`http://127.0.0.1:${port}/api/test-echo`, { method: "POST", body: '{"a":1}' });
    assert.equal((await ok.json()).bytes, 7);
  } finally {
    await server.shutdown();
  }
});
