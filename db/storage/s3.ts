/**
 * Any S3-compatible store (AWS S3, MinIO, R2, s3rver...) with signed requests by `aws4fetch`. Uploads
 * stream with an unsigned payload and a declared length, so a file is never held in memory.
 */
import { AwsClient } from "aws4fetch";
import type { BlobStorage } from "./storage.ts";
import { exactly, slice } from "./storage.ts";

export interface S3Options {
  /** The bucket's base URL, path style: `http://host:port/bucket`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export function s3Storage(o: S3Options): BlobStorage {
  const aws = new AwsClient({
    accessKeyId: o.accessKeyId,
    secretAccessKey: o.secretAccessKey,
    region: o.region,
    service: "s3",
  });
  const url = (key: string) =>
    `${o.endpoint.replace(/\/+$/, "")}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return {
    backend: "s3",
    async put(key, data, size) {
      const req = await aws.sign(url(key), {
        method: "PUT",
        body: data.pipeThrough(exactly(size)),
        headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-length": String(size) },
      });
      const r = await fetch(req);
      await r.body?.cancel();
      if (!r.ok) throw new Error(`S3 PUT ${key}: ${r.status}`);
    },
    async get(key, range) {
      const headers: Record<string, string> = {};
      if (range) headers.range = `bytes=${range.start}-${range.end}`;
      const r = await aws.fetch(url(key), { headers });
      if (r.status === 404) {
        await r.body?.cancel();
        return null;
      }
      if (!r.ok) {
        await r.body?.cancel();
        throw new Error(`S3 GET ${key}: ${r.status}`);
      }
      if (!range || !r.body) return r.body;
      // Trust the answer's Content-Range, not the request: some servers send more than asked (s3rver sends
      // everything for "bytes=0-0"), so the answer is cut to the range asked for.
      const from = r.status === 206
        ? Number(/^bytes (\d+)-/.exec(r.headers.get("content-range") ?? "")?.[1] ?? 0)
        : 0;
      return slice(r.body, range, from);
    },
    async delete(key) {
      const r = await aws.fetch(url(key), { method: "DELETE" });
      await r.body?.cancel();
      if (!r.ok && r.status !== 404) throw new Error(`S3 DELETE ${key}: ${r.status}`);
    },
  };
}
