/**
 * The message renderer (`markdown.ts`: marked + DOMPurify, the largest part of the chat's code) loaded on
 * demand, so the first screen of /chat does not parse it: the chat entry starts loading it once the page
 * is interactive, and a message log waits for it. `markdown.value` is the module once it is there (a
 * signal, so what renders messages re-renders when it arrives).
 */
import { signal } from "@preact/signals";
import type { Known } from "./markdown.ts";

type Markdown = typeof import("./markdown.ts");

export const markdown = signal<Markdown | null>(null);

let pending: Promise<Markdown> | null = null;
let known: Known | null = null;

/** Starts loading the renderer (once); resolves with it. A failed load is retried on the next call. */
export function loadMarkdown(): Promise<Markdown> {
  pending ??= import("./markdown.ts").then((m) => {
    if (known) m.setKnown(known);
    markdown.value = m;
    return m;
  }, (e) => {
    pending = null;
    throw e;
  });
  return pending;
}

/** Sets the names that @ and # resolve to, now or when the renderer arrives. */
export function setKnown(k: Known): void {
  known = k;
  markdown.value?.setKnown(k);
}
