/** Files in a local directory (`FILES_DIR`): one file per key, written to a temporary name and renamed. */
import type { BlobStorage } from "./storage.ts";
import { exactly, slice } from "./storage.ts";

/** Keys are made by the domain from ids and fixed words; anything else is refused rather than joined to a path. */
function pathOf(dir: string, key: string): string {
  if (!/^[a-z0-9/_-]+$/i.test(key) || key.includes("..") || key.startsWith("/")) {
    throw new Error(`bad storage key ${JSON.stringify(key)}`);
  }
  return `${dir}/${key}`;
}

export function localStorage(dir: string): BlobStorage {
  return {
    backend: "local",
    async put(key, data, size) {
      const path = pathOf(dir, key);
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      const tmp = `${path}.${crypto.randomUUID()}.part`;
      try {
        const f = await Deno.open(tmp, { write: true, createNew: true });
        await data.pipeThrough(exactly(size)).pipeTo(f.writable);
        await Deno.rename(tmp, path);
      } catch (err) {
        await Deno.remove(tmp).catch(() => {});
        throw err;
      }
    },
    async get(key, range) {
      let f: Deno.FsFile;
      try {
        f = await Deno.open(pathOf(dir, key), { read: true });
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return null;
        throw err;
      }
      if (!range) return f.readable;
      await f.seek(range.start, Deno.SeekMode.Start);
      return slice(f.readable, range, range.start);
    },
    async delete(key) {
      await Deno.remove(pathOf(dir, key)).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
    },
  };
}
