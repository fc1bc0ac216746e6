/** The default backend: bytes in the `file_blobs` table in parts of 256 KiB (works on PGlite and on Deno Deploy). */
import type { Sql } from "../client.ts";
import { type BlobStorage, type ByteRange, chunked, exactly } from "./storage.ts";

export const PART_BYTES = 256 * 1024;

export function databaseStorage(sql: Sql): BlobStorage {
  return {
    backend: "database",
    async put(key, data, size) {
      let part = 0;
      try {
        for await (const chunk of chunked(data.pipeThrough(exactly(size)), PART_BYTES)) {
          await sql.query("INSERT INTO file_blobs (key, part, data) VALUES ($1, $2, $3)", [
            key,
            part++,
            chunk,
          ]);
        }
      } catch (err) {
        await sql.query("DELETE FROM file_blobs WHERE key = $1", [key]);
        throw err;
      }
    },
    async get(key, range?: ByteRange) {
      const exists = await sql.query("SELECT 1 FROM file_blobs WHERE key = $1 AND part = 0", [key]);
      if (!exists.length) return null;
      const first = range ? Math.floor(range.start / PART_BYTES) : 0;
      const last = range ? Math.floor(range.end / PART_BYTES) : Number.MAX_SAFE_INTEGER;
      let part = first;
      return new ReadableStream<Uint8Array>({
        async pull(ctl) {
          if (part > last) return ctl.close();
          const r = await sql.query<{ data: Uint8Array }>(
            "SELECT data FROM file_blobs WHERE key = $1 AND part = $2",
            [key, part],
          );
          if (!r.length) return ctl.close();
          let data = new Uint8Array(r[0].data);
          const base = part * PART_BYTES;
          if (range) {
            const from = Math.max(0, range.start - base);
            const to = Math.min(data.length, range.end - base + 1);
            data = data.subarray(from, to);
          }
          part++;
          ctl.enqueue(data);
        },
      });
    },
    async delete(key) {
      await sql.query("DELETE FROM file_blobs WHERE key = $1", [key]);
    },
  };
}
