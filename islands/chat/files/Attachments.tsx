/**
 * A message's files: images as thumbnails that open a lightbox, audio and video playing in the page, and a
 * card (name, type, size, download) for everything else. Bytes come from /api/chat/files/{id}, which
 * checks access on every request.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Attachment } from "../../../realtime/protocol.ts";
import { IconX } from "../../../components/ui.tsx";
import { fmtSize } from "./uploads.ts";

const src = (a: Attachment, thumb = false) => `/api/chat/files/${a.id}${thumb ? "?variant=thumb" : ""}`;

export function Attachments({ items }: { items: Attachment[] | undefined }) {
  const [open, setOpen] = useState<Attachment | null>(null);
  if (!items?.length) return null;
  return (
    <div class="flex flex-wrap gap-2 mt-1">
      {items.map((a) => {
        if (a.kind === "image") {
          return (
            <button
              key={a.id}
              type="button"
              class="block rounded-md overflow-hidden border border-line hover:opacity-90"
              aria-label={`View image ${a.name}`}
              onClick={() => setOpen(a)}
            >
              <img
                src={src(a, a.thumb)}
                alt={a.name}
                loading="lazy"
                class="block max-h-48 max-w-[16rem] object-contain"
              />
            </button>
          );
        }
        if (a.kind === "video") {
          return (
            <video
              key={a.id}
              controls
              preload="metadata"
              class="max-w-sm max-h-64 rounded-md"
              aria-label={a.name}
            >
              <source src={src(a)} type={a.mime} />
            </video>
          );
        }
        if (a.kind === "audio") {
          return <audio key={a.id} controls preload="metadata" src={src(a)} aria-label={a.name} />;
        }
        return (
          <a
            key={a.id}
            href={src(a)}
            download={a.name}
            class="flex items-center gap-3 rounded-md border border-line bg-main px-3 py-2 hover:bg-hover max-w-xs"
          >
            <span aria-hidden="true" class="text-2xl">{a.kind === "pdf" ? "📄" : "📎"}</span>
            <span class="min-w-0">
              {/* The name read out is the visible text, after "Download" (no separate aria-label). */}
              <span class="sr-only">{`Download `}</span>
              <span class="block truncate font-medium text-fg">
                {a.name}
                <span class="sr-only">,</span>
              </span>
              <span class="block text-xs text-muted">
                {a.kind === "pdf" ? "PDF" : a.mime} · {fmtSize(a.size)}
              </span>
            </span>
          </a>
        );
      })}
      {open && <Lightbox a={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

function Lightbox({ a, onClose }: { a: Attachment; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current!;
    d.showModal?.();
    return () => d.open && d.close();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-label={a.name}
      onClose={onClose}
      onClick={(e) => e.target === ref.current && onClose()}
      class="p-0 bg-transparent backdrop:bg-black/80 max-w-[95vw] max-h-[95vh]"
    >
      <div class="relative">
        <img src={src(a)} alt={a.name} class="block max-w-[95vw] max-h-[90vh] object-contain" />
        <div class="flex justify-between items-center gap-2 bg-black/70 text-white text-sm px-3 py-2">
          <span class="truncate">{a.name} · {fmtSize(a.size)}</span>
          <span class="flex gap-2">
            <a href={src(a)} download={a.name} class="underline">Download</a>
            <button type="button" aria-label="Close" onClick={onClose} class="p-1">
              <IconX width="16" height="16" />
            </button>
          </span>
        </div>
      </div>
    </dialog>
  );
}
