/** The storage contract, run against all three backends: database (PGlite and Postgres), a local directory, S3 (s3rver). */
import assert from "node:assert/strict";
import S3rver from "s3rver";
import { dbTest } from "../../helpers/db.ts";
import type { BlobStorage } from "../../../db/storage/storage.ts";
import { databaseStorage, PART_BYTES, PARTS_PER_WRITE } from "../../../db/storage/database.ts";
import { localStorage } from "../../../db/storage/local.ts";
import { s3Storage } from "../../../db/storage/s3.ts";
import { readAll, stream } from "../../helpers/files.ts";

/** A started s3rver on loopback with a bucket, and how to stop it. */
export async function startS3(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "parley-s3-" });
  const s = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    configureBuckets: [{ name: "parley", configs: [] }],
  });
  const addr = await s.run();
  return {
    endpoint: `http://127.0.0.1:${addr.port}/parley`,
    async close() {
      await s.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

export const s3Keys = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER", region: "us-east-1" };

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 9)) & 255);

async function contract(store: BlobStorage) {
  const big = bytes(PART_BYTES * 2 + 12345);
  await store.put("w1/f1/original", stream(big, 70_000), big.length);
  const all = await readAll((await store.get("w1/f1/original"))!);
  assert.ok(all.length === big.length && all.every((b, i) => b === big[i]));
  // Ranges, across part boundaries too.
  for (
    const [s, e] of [[0, 0], [10, 99], [PART_BYTES - 5, PART_BYTES + 5], [big.length - 3, big.length - 1]]
  ) {
    const got = await readAll((await store.get("w1/f1/original", { start: s, end: e }))!);
    assert.equal(got.length, e - s + 1, `range ${s}-${e}`);
    assert.ok(got.every((b, i) => b === big[s + i]), `range ${s}-${e}`);
  }
  assert.equal(await store.get("w1/none"), null);
  // A stream that carries more or less than declared stores nothing.
  await assert.rejects(store.put("w1/f2/original", stream(bytes(100)), 50));
  await assert.rejects(store.put("w1/f3/original", stream(bytes(10)), 50));
  assert.equal(await store.get("w1/f2/original"), null);
  assert.equal(await store.get("w1/f3/original"), null);
  await store.delete("w1/f1/original");
  assert.equal(await store.get("w1/f1/original"), null);
  await store.delete("w1/f1/original"); // deleting twice is fine
}

dbTest(
  "storage: database objects of many parts, and of parts written with another size, read whole and in ranges",
  async (db) => {
    const store = databaseStorage(db);
    const big = bytes(PART_BYTES * 20 + 777);
    await store.put("w1/many", stream(big, 50_000), big.length);
    assert.deepEqual(await readAll((await store.get("w1/many"))!), big);
    const mid = await readAll(
      (await store.get("w1/many", { start: PART_BYTES * 7 + 3, end: PART_BYTES * 17 }))!,
    );
    assert.deepEqual(mid, big.subarray(PART_BYTES * 7 + 3, PART_BYTES * 17 + 1));
    // An object stored in 256 KiB parts (before the part size changed) still reads right.
    const old = 256 * 1024;
    const legacy = bytes(old * 2 + 99);
    for (let i = 0; i * old < legacy.length; i++) {
      await db.query("INSERT INTO file_blobs (key, part, data) VALUES ($1, $2, $3)", [
        "w1/legacy",
        i,
        legacy.subarray(i * old, (i + 1) * old),
      ]);
    }
    assert.deepEqual(await readAll((await store.get("w1/legacy"))!), legacy);
    const r = await readAll((await store.get("w1/legacy", { start: old - 10, end: old * 2 + 5 }))!);
    assert.deepEqual(r, legacy.subarray(old - 10, old * 2 + 6));
  },
);

dbTest("storage: database backend keeps bytes in parts, serves ranges, deletes", async (db) => {
  await contract(databaseStorage(db));
  assert.equal((await db.query("SELECT count(*)::int AS n FROM file_blobs"))[0].n, 0);
});

Deno.test("storage: local directory backend", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-files-" });
  try {
    await contract(localStorage(dir));
    // No temporary files are left behind by the failed writes.
    const left: string[] = [];
    for await (const e of Deno.readDir(`${dir}/w1`)) left.push(e.name);
    for (const sub of left) {
      for await (const e of Deno.readDir(`${dir}/w1/${sub}`)) assert.fail(`left behind: ${sub}/${e.name}`);
    }
    await assert.rejects(localStorage(dir).get("../etc/passwd"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("storage: S3 backend against a real S3-compatible server (s3rver)", async () => {
  const s3 = await startS3();
  try {
    await contract(s3Storage({ endpoint: s3.endpoint, ...s3Keys }));
    // Unknown keys are refused by the server, and the failure reaches the caller.
    const bad = s3Storage({ endpoint: s3.endpoint, ...s3Keys, accessKeyId: "NOBODY" });
    await assert.rejects(bad.put("x/y", stream(bytes(10)), 10));
  } finally {
    await s3.close();
  }
});

dbTest(
  "storage: database parts written by insertRows (binary COPY on Postgres) read back byte-identical",
  async (db) => {
    // Part rows may only arrive through insertRows: an INSERT of a part would fail this test.
    const store = databaseStorage({
      insertRows: db.insertRows,
      query: (text, params) => {
        if (/INSERT INTO file_blobs/i.test(text)) throw new Error("parts were inserted one by one");
        return db.query(text, params);
      },
    });
    const size = PART_BYTES * PARTS_PER_WRITE * 3 + PART_BYTES * 2 + 4321; // whole batches and a short one
    const data = Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >> 11) * 7 + (i >> 17)) & 255);
    await store.put("w1/copied", stream(data, 65_536), size);
    assert.deepEqual(await readAll((await store.get("w1/copied"))!), data);
    for (
      const [s, e] of [
        [0, 0],
        [PART_BYTES - 1, PART_BYTES],
        [PART_BYTES * PARTS_PER_WRITE - 3, PART_BYTES * PARTS_PER_WRITE + 2],
        [12345, size - 12345],
        [size - 1, size - 1],
      ]
    ) {
      assert.deepEqual(
        await readAll((await store.get("w1/copied", { start: s, end: e }))!),
        data.subarray(s, e + 1),
      );
    }
    const [r] = await db.query<{ n: number; bytes: number }>(
      "SELECT count(*)::int AS n, sum(length(data))::int AS bytes FROM file_blobs WHERE key = 'w1/copied'",
    );
    assert.deepEqual([r.n, r.bytes], [Math.ceil(size / PART_BYTES), size]);
    // An upload that breaks off after some batches were written leaves no part behind.
    const broken = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(data.subarray(0, PART_BYTES * PARTS_PER_WRITE * 2 + 10));
        c.error(new Error("client went away"));
      },
    });
    await assert.rejects(store.put("w1/broken", broken, size));
    assert.equal(await store.get("w1/broken"), null);
    assert.equal((await db.query("SELECT 1 FROM file_blobs WHERE key = 'w1/broken'")).length, 0);
  },
);
