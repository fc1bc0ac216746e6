/**
 * Reading an upload into memory the reader owns, so that the bytes are not copied on the way.
 *
 * A request body in Deno is a byte stream: read with a BYOB reader, the network's bytes land in the
 * buffer given, where the default reader allocates a new 64 KiB chunk for every read. At 20 concurrent
 * 10 MB uploads each extra copy of the data into fresh memory raised the server's peak RSS by ~40 MB
 * (garbage outpaces collection), so the upload path reads into buffers it reuses. Streams that are not
 * byte streams (made in tests, or by other code) are read with a default reader and copied.
 *
 * @example
 * const r = byteReader(req.body);
 * let buf = new Uint8Array(256 * 1024);
 * buf = await r.fill(buf); // buf.length < 256 KiB only at the end of the stream
 */
export interface ByteReader {
  /**
   * One read into `view` (at most its length). Returns the bytes read as a view over the same memory; with
   * a BYOB read the old `view` is detached, so go on with the returned one (`.buffer`). Empty at the end.
   */
  read(view: Uint8Array): Promise<Uint8Array>;
  /** Reads until `view` is full or the stream ends; the same rules as `read`. */
  fill(view: Uint8Array): Promise<Uint8Array>;
  cancel(reason?: unknown): Promise<void>;
}

export function byteReader(stream: ReadableStream<Uint8Array>): ByteReader {
  let byob: ReadableStreamBYOBReader | null = null;
  let plain: ReadableStreamDefaultReader<Uint8Array> | null = null;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    plain = stream.getReader();
  }
  let left: Uint8Array = new Uint8Array(0);
  let ended = false;
  const read = async (view: Uint8Array): Promise<Uint8Array> => {
    if (!view.length || ended) return view.subarray(0, 0);
    if (byob) {
      const r = await byob.read(view);
      if (r.done) ended = true;
      return r.value ?? view.subarray(0, 0);
    }
    if (!left.length) {
      const r = await plain!.read();
      if (r.done) {
        ended = true;
        return view.subarray(0, 0);
      }
      left = r.value;
    }
    const n = Math.min(view.length, left.length);
    view.set(left.subarray(0, n));
    left = left.subarray(n);
    return view.subarray(0, n);
  };
  return {
    read,
    async fill(view) {
      const { byteOffset: at, byteLength: size } = view;
      let buffer = view.buffer as ArrayBuffer;
      let filled = 0;
      while (filled < size) {
        const got = await read(new Uint8Array(buffer, at + filled, size - filled));
        buffer = got.buffer as ArrayBuffer;
        if (!got.length) break;
        filled += got.length;
      }
      return new Uint8Array(buffer, at, filled);
    },
    async cancel(reason) {
      await (byob ?? plain)!.cancel(reason);
    },
  };
}

/**
 * A byte stream that gives `head` first and then the rest of `source` (what `head` was read from), read
 * straight into the consumer's buffers when the consumer reads with a BYOB reader.
 */
export function withHead(head: Uint8Array, source: ByteReader): ReadableStream<Uint8Array> {
  let pending = head.slice();
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 64 * 1024,
    async pull(ctl) {
      const req = ctl.byobRequest!;
      const view = req.view as Uint8Array<ArrayBuffer>;
      if (pending.length) {
        const n = Math.min(pending.length, view.length);
        view.set(pending.subarray(0, n));
        pending = pending.subarray(n);
        return req.respond(n);
      }
      const got = await source.read(view);
      // A BYOB read of the source took over the view's memory (`view` is detached): answer with its view.
      const moved = view.byteLength === 0;
      if (!got.length) {
        ctl.close();
        // The open request must still be answered, with 0 bytes.
        return moved ? req.respondWithNewView(got) : req.respond(0);
      }
      if (moved) req.respondWithNewView(got);
      else req.respond(got.length);
    },
    async cancel(reason) {
      await source.cancel(reason);
    },
  });
}
