/** A visitor's attachment as staff see it: a thumbnail for images, a link that opens the file. */
import type { VisitorAttachment } from "../../../realtime/visitor_protocol.ts";

export function VisitorFile({ f }: { f: VisitorAttachment }) {
  const href = `/api/visitors/files/${f.id}`;
  return (
    <a href={href} target="_blank" rel="noopener" class="inline-flex flex-col gap-1 underline text-link">
      {f.thumb && (
        <img
          src={`${href}?variant=thumb`}
          alt={f.name}
          class="max-w-[12rem] max-h-40 rounded border border-line"
          loading="lazy"
        />
      )}
      <span>{f.thumb ? "Open image" : `Open ${f.name}`}</span>
    </a>
  );
}
