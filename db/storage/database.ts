/**
 * The default backend: bytes in the `file_blobs` table, in parts (works on PGlite and on Deno Deploy).
 *
 * Parts are 32 KiB (they were 256 KiB: 20 concurrent 10 MB uploads went from 3.3 to ~10 MB/s on the bench
 * machine). Reads take the part size from the first part, so objects written with another part size still
 * read correctly, ranges included, and fetch several parts per statement.
 *
 * Writes go `PARTS_PER_WRITE` parts at a time through `Db.insertRows`: on Postgres one binary COPY per
 * batch, committed before the next batch is read from the upload. The upload is read (BYOB) into one
 * buffer of a batch, reused for every batch; parts are views of it. Memory, measured on 20 concurrent
 * 10 MB uploads (bench/notes/search_and_files.md): a bytea parameter goes to the server as hex text, and
 * INSERTs of those raised the server's peak RSS by ~150-180 MB; COPY through postgres.js's stream (which
 * copies each chunk into a new CopyData message) by ~110 MB; COPY framed by `Db.insertRows` itself
 * (db/pg_copy_socket.ts) by ~43 MB. Every copy of the data into fresh memory costs ~40 MB of collection lag
 * at that rate, so there is none on this path. The batch size was measured too: 64 KiB batches 71 MB (and
 * half the speed), 128 KiB 63 MB, 256 KiB 43 MB, 1 MiB 85 MB. A connection is taken only while a batch is
 * written, never while waiting for the client.
 */
import type { CopyColumn, Db } from "../client.ts";
import type { BlobStorage, ByteRange } from "./storage.ts";
import { byteReader } from "./byte_reader.ts";

export const PART_BYTES = 32 * 1024;
/** Parts read per query when streaming an object out. */
const PARTS_PER_READ = 8;
/** Parts written per `insertRows` (one COPY on Postgres). */
export const PARTS_PER_WRITE = 8;
const COLUMNS: CopyColumn[] = [
  { name: "key", type: "text" },
  { name: "part", type: "int4" },
  { name: "data", type: "bytea" },
];

export function databaseStorage(sql: Pick<Db, "query" | "insertRows">): BlobStorage {
  return {
    backend: "database",
    async put(key, data, size) {
      // One buffer of a batch of parts for the whole upload, read into and written from again and again.
      const reader = byteReader(data);
      let buf = new Uint8Array(PART_BYTES * PARTS_PER_WRITE);
      let part = 0;
      let stored = 0;
      try {
        while (stored < size) {
          const got = await reader.fill(buf.subarray(0, Math.min(buf.length, size - stored)));
          buf = new Uint8Array(got.buffer as ArrayBuffer);
          if (!got.length) throw new Error(`expected ${size} bytes, got ${stored}`);
          const rows: unknown[][] = [];
          for (let at = 0; at < got.length; at += PART_BYTES) {
            rows.push([key, part++, got.subarray(at, Math.min(at + PART_BYTES, got.length))]);
          }
          await sql.insertRows("file_blobs", COLUMNS, rows);
          stored += got.length;
        }
        if ((await reader.read(new Uint8Array(1))).length) {
          throw new Error(`more than the declared ${size} bytes`);
        }
      } catch (err) {
        await reader.cancel(err).catch(() => {});
        await sql.query("DELETE FROM file_blobs WHERE key = $1", [key]);
        throw err;
      }
    },
    async get(key, range?: ByteRange) {
      const head = await sql.query<{ n: number }>(
        "SELECT length(data) AS n FROM file_blobs WHERE key = $1 AND part = 0",
        [key],
      );
      if (!head.length) return null;
      const partBytes = Number(head[0].n) || PART_BYTES;
      const first = range ? Math.floor(range.start / partBytes) : 0;
      const last = range ? Math.floor(range.end / partBytes) : Number.MAX_SAFE_INTEGER;
      let part = first;
      return new ReadableStream<Uint8Array>({
        async pull(ctl) {
          if (part > last) return ctl.close();
          const upTo = Math.min(last, part + PARTS_PER_READ - 1);
          const rows = await sql.query<{ part: number; data: Uint8Array }>(
            "SELECT part, data FROM file_blobs WHERE key = $1 AND part BETWEEN $2 AND $3 ORDER BY part",
            [key, part, upTo],
          );
          if (!rows.length) return ctl.close();
          for (const r of rows) {
            let data = new Uint8Array(r.data);
            const base = Number(r.part) * partBytes;
            if (range) {
              const from = Math.max(0, range.start - base);
              const to = Math.min(data.length, range.end - base + 1);
              data = data.subarray(from, to);
            }
            ctl.enqueue(data);
          }
          part = Number(rows.at(-1)!.part) + 1;
          if (rows.length < upTo - Number(rows[0].part) + 1) part = last + 1;
        },
      });
    },
    async delete(key) {
      await sql.query("DELETE FROM file_blobs WHERE key = $1", [key]);
    },
  };
}
