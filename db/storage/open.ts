/** Picks the storage backend the configuration names. Called by `main.ts` (and tests). */
import type { Db } from "../client.ts";
import type { StorageConfig } from "../../config.ts";
import type { BlobStorage } from "./storage.ts";
import { databaseStorage } from "./database.ts";
import { localStorage } from "./local.ts";
import { s3Storage } from "./s3.ts";

export function openStorage(c: StorageConfig, db: Db): BlobStorage {
  if (c.backend === "local") return localStorage(c.dir);
  if (c.backend === "s3") {
    if (!c.s3.endpoint) throw new Error("FILES_STORAGE=s3 needs S3_ENDPOINT (http(s)://host/bucket)");
    return s3Storage(c.s3);
  }
  return databaseStorage(db);
}
