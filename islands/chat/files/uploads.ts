/**
 * Uploads from the composer: each file goes up on its own request (XMLHttpRequest, for progress events),
 * can be cancelled, and ends ready (with the file id to send) or with the server's explanation.
 */
import { signal } from "@preact/signals";
import type { Attachment } from "../../../realtime/protocol.ts";

export interface Upload {
  key: number;
  name: string;
  size: number;
  /** 0..1 */
  progress: number;
  state: "uploading" | "ready" | "error";
  error?: string;
  file?: Attachment;
  abort?: () => void;
}

let seq = 0;

export function createUploads(channelId: number) {
  const list = signal<Upload[]>([]);
  const patch = (key: number, p: Partial<Upload>) =>
    list.value = list.value.map((u) => (u.key === key ? { ...u, ...p } : u));

  /** Starts uploading; a file over `maxBytes` is refused here already (the server checks again). */
  function add(files: Iterable<File>, maxBytes = Infinity) {
    for (const f of files) {
      const key = ++seq;
      const name = f.name || `pasted-${key}.${(f.type.split("/")[1] || "bin").replace(/\W/g, "")}`;
      if (f.size > maxBytes) {
        list.value = [...list.value, {
          key,
          name,
          size: f.size,
          progress: 0,
          state: "error",
          error: `Files can be at most ${fmtSize(maxBytes)}; this one is ${fmtSize(f.size)}`,
        }];
        continue;
      }
      const xhr = new XMLHttpRequest();
      list.value = [...list.value, {
        key,
        name,
        size: f.size,
        progress: 0,
        state: "uploading",
        abort: () => xhr.abort(),
      }];
      xhr.open("POST", `/api/chat/channels/${channelId}/files?name=${encodeURIComponent(name)}`);
      xhr.upload.onprogress = (e) => e.lengthComputable && patch(key, { progress: e.loaded / e.total });
      xhr.onload = () => {
        let data: { file?: Attachment; error?: { message: string } } = {};
        try {
          data = JSON.parse(xhr.responseText);
        } catch { /* not JSON */ }
        if (xhr.status === 201 && data.file) patch(key, { state: "ready", progress: 1, file: data.file });
        else {
          patch(key, {
            state: "error",
            error: data.error?.message ?? `The upload failed (${xhr.status})`,
          });
        }
      };
      xhr.onerror = () => patch(key, { state: "error", error: "The upload failed: the connection dropped" });
      xhr.send(f);
    }
  }

  /** Cancels an upload in progress, or removes a finished or failed one (an unsent file is deleted). */
  function remove(key: number, discard: (id: number) => Promise<unknown>) {
    const u = list.value.find((x) => x.key === key);
    if (!u) return;
    if (u.state === "uploading") u.abort?.();
    if (u.state === "ready" && u.file) discard(u.file.id).catch(() => {});
    list.value = list.value.filter((x) => x.key !== key);
  }

  return { list, add, remove, clear: () => (list.value = []) };
}

export type Uploads = ReturnType<typeof createUploads>;

export function fmtSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 102.4) / 10} KB`;
  return `${Math.round(n / 1024 / 102.4) / 10} MB`;
}
