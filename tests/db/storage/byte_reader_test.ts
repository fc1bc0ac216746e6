/** Reading uploads into buffers the reader owns: byte streams (BYOB) and plain streams alike. */
import assert from "node:assert/strict";
import { byteReader, withHead } from "../../../db/storage/byte_reader.ts";
import { readAll, stream } from "../../helpers/files.ts";

const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 11 + (i >> 8)) & 255);

/** A byte stream, as a request body is, that hands out `piece` bytes per pull. */
function byteStream(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(ctl) {
      if (at >= bytes.length) {
        ctl.close();
        ctl.byobRequest?.respond(0);
        return;
      }
      ctl.enqueue(bytes.slice(at, at + piece));
      at += piece;
    },
  });
}

for (const [kind, make] of [["byte", byteStream], ["plain", stream]] as const) {
  Deno.test(`byteReader fills buffers from a ${kind} stream, and ends cleanly`, async () => {
    const r = byteReader(make(data, 7000));
    let buf = new Uint8Array(65536);
    const got: number[] = [];
    for (;;) {
      const view = await r.fill(buf);
      buf = new Uint8Array(view.buffer as ArrayBuffer);
      if (!view.length) break;
      got.push(...view);
      if (view.length < buf.length) {
        assert.equal((await r.fill(buf)).length, 0, "only the last fill is short");
      }
    }
    assert.deepEqual(Uint8Array.from(got), data);
  });

  Deno.test(`withHead gives the head and then the rest of a ${kind} stream, to BYOB and plain readers`, async () => {
    for (const mode of ["byob", "plain"]) {
      const r = byteReader(make(data, 5000));
      const head = await r.fill(new Uint8Array(4100));
      assert.deepEqual(head, data.subarray(0, 4100));
      const rest = withHead(head, r);
      let out: Uint8Array;
      if (mode === "plain") out = await readAll(rest);
      else {
        const again = byteReader(rest);
        const parts: number[] = [];
        let buf = new Uint8Array(32768);
        for (;;) {
          const view = await again.fill(buf);
          buf = new Uint8Array(view.buffer as ArrayBuffer);
          if (!view.length) break;
          parts.push(...view);
        }
        out = Uint8Array.from(parts);
      }
      assert.deepEqual(out, data, `${kind} source, ${mode} reader`);
    }
  });
}
