/**
 * A file in the visitor's chat: images show a thumbnail, everything opens or downloads from an object URL
 * (the visitor's token travels in a header, never in a link), and "Attach a file" for the composer.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { VisitorClient } from "./client.ts";
import type { VisitorAttachment } from "../../realtime/visitor_protocol.ts";

export function VisitorFile({ client, f }: { client: VisitorClient; f: VisitorAttachment }) {
  const [thumb, setThumb] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    let url = "";
    if (f.thumb) void client.fileUrl(f.id, "thumb").then((u) => setThumb(url = u)).catch(() => {});
    return () => url && URL.revokeObjectURL(url);
  }, [f.id]);
  const open = async () => {
    try {
      const url = await client.fileUrl(f.id, "original");
      const a = document.createElement("a");
      a.href = url;
      a.download = f.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <span class="flex flex-col gap-1">
      {thumb && <img src={thumb} alt={f.name} class="max-w-full max-h-48 rounded" />}
      <button type="button" class="underline text-left" onClick={open}>Download {f.name}</button>
      {error && <span role="alert" class="text-xs">{error}</span>}
    </span>
  );
}

/** The composer's "Attach a file" button with its hidden file input. */
export function AttachButton({ client }: { client: VisitorClient }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <input
        ref={input}
        id="pv-file"
        type="file"
        class="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        onChange={async (e) => {
          const el = e.target as HTMLInputElement;
          const file = el.files?.[0];
          el.value = "";
          if (!file) return;
          setBusy(true);
          client.error.value = "";
          try {
            await client.attach(file);
          } catch (err) {
            client.error.value = err instanceof Error ? err.message : String(err);
          } finally {
            setBusy(false);
          }
        }}
      />
      <button
        type="button"
        class="rounded-md border border-line px-2 text-sm"
        aria-label={busy ? "Sending file…" : "Attach a file"}
        disabled={busy}
        onClick={() => input.current?.click()}
      >
        📎
      </button>
    </>
  );
}
