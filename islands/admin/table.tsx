/**
 * The console's one table shape: a captioned table with column headers, rows drawn from data, an optional
 * detail row under a row, and the pager below it. People, Channels, Audit log and Monitor use it; the data
 * is one page the server sent (tables page on the server, never all rows in the browser).
 */
import { Fragment } from "preact";
import type { ComponentChildren } from "preact";
import { btn, td, th } from "./ui.tsx";

export interface Column<R> {
  header: string;
  cell: (row: R) => ComponentChildren;
  /** Extra classes for this column's cells. */
  class?: string;
}

export function AdminTable<R>(
  { caption, columns, rows, rowKey, detail, empty = "Nothing matches" }: {
    caption: string;
    columns: Column<R>[];
    rows: R[];
    rowKey: (row: R) => string | number;
    /** A full-width row under `row` (e.g. its actions), or null. */
    detail?: (row: R) => ComponentChildren | null;
    empty?: string;
  },
) {
  return (
    <table class="w-full text-sm mb-3">
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => <th key={c.header} class={th} scope="col">{c.header}</th>)}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td class={td} colSpan={columns.length}>{empty}</td>
          </tr>
        )}
        {rows.map((r) => {
          const more = detail?.(r);
          return (
            <Fragment key={rowKey(r)}>
              <tr>
                {columns.map((c) => (
                  <td key={c.header} class={c.class ? `${td} ${c.class}` : td}>{c.cell(r)}</td>
                ))}
              </tr>
              {more && (
                <tr>
                  <td class={td} colSpan={columns.length}>{more}</td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/** Previous / next page buttons and "Page n of m" for tables paged by number. */
export function Pager(
  { page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void },
) {
  return (
    <nav aria-label="Pages" class="flex gap-2 items-center mb-6">
      <button class={btn} type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span class="text-sm">Page {page} of {pages}</span>
      <button class={btn} type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </nav>
  );
}

/** "Showing n of total" and a button for the next (older) slice, for tables paged by a cursor. */
export function LoadMore(
  { shown, total, label, onMore }: { shown: number; total: number; label: string; onMore: () => void },
) {
  return (
    <div class="mb-6">
      <p class="text-sm text-muted mb-2">Showing {shown} of {total}</p>
      {shown < total && <button class={btn} type="button" onClick={onMore}>{label}</button>}
    </div>
  );
}
