/**
 * Where file bytes live: one small interface, three backends (the database, a local directory, any
 * S3-compatible store). Keys are opaque strings chosen by `domain/files.ts`; backends never see names or
 * permissions. Every method streams: nothing holds a whole file in memory.
 *
 * @example
 * const store = databaseStorage(db);
 * await store.put("f/1/original", stream, size);
 * const body = await store.get("f/1/original", { start: 0, end: 99 });
 */
export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface BlobStorage {
  readonly backend: "database" | "local" | "s3";
  /** Stores exactly `size` bytes read from `data`; rejects (and stores nothing) when the stream fails or differs. */
  put(key: string, data: ReadableStream<Uint8Array>, size: number): Promise<void>;
  /** The object's bytes (or the range), or null when there is no such object. */
  get(key: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null>;
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
}

/** Passes bytes through and fails the stream when it carries more or fewer than `size`. */
export function exactly(size: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, ctl) {
      seen += chunk.length;
      if (seen > size) throw new Error(`more than the declared ${size} bytes`);
      ctl.enqueue(chunk);
    },
    flush() {
      if (seen !== size) throw new Error(`expected ${size} bytes, got ${seen}`);
    },
  });
}

/** Bytes `start..end` (inclusive) of a stream that begins at byte `offset`; the rest is dropped unread. */
export function slice(
  data: ReadableStream<Uint8Array>,
  r: ByteRange,
  offset = 0,
): ReadableStream<Uint8Array> {
  let pos = offset;
  return data.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        const from = Math.max(0, r.start - pos);
        const to = Math.min(chunk.length, r.end - pos + 1);
        pos += chunk.length;
        if (to > from) ctl.enqueue(chunk.subarray(from, to));
        if (pos > r.end) ctl.terminate();
      },
    }),
  );
}
