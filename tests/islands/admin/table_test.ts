/** The console's shared table and pagers: headers, caption, empty state, detail rows, disabled ends. */
import assert from "node:assert/strict";
import { h } from "preact";
import { render } from "preact-render-to-string";
import { AdminTable, LoadMore, Pager } from "../../../islands/admin/table.tsx";

const rows = [{ id: 1, name: "ann" }, { id: 2, name: "<b>bo</b>" }];
const columns = [{ header: "Name", cell: (r: { name: string }) => r.name }, {
  header: "Id",
  cell: (r: { id: number }) => r.id,
}];

Deno.test("AdminTable: caption, column headers, rows, a detail row under one row, escaped cells", () => {
  const html = render(
    h(AdminTable<{ id: number; name: string }>, {
      caption: "People, page 1 of 1",
      columns,
      rows,
      rowKey: (r) => r.id,
      detail: (r) => r.id === 2 ? "details of bo" : null,
    }),
  );
  assert.match(html, /<caption class="sr-only">People, page 1 of 1<\/caption>/);
  assert.equal(html.match(/<th [^>]*scope="col"/g)?.length, 2);
  assert.equal(html.match(/<tr>/g)?.length, 4, "header row, two rows, one detail row");
  assert.match(html, /<td [^>]*colspan="2"[^>]*>details of bo<\/td>/);
  assert.match(html, /&lt;b>bo&lt;\/b>/, "cells are text, not markup");
  const empty = render(
    h(AdminTable<{ id: number }>, { caption: "x", columns: [], rows: [], rowKey: (r) => r.id }),
  );
  assert.match(empty, /Nothing matches/);
});

Deno.test("Pager and LoadMore: the ends are disabled or absent", () => {
  const first = render(h(Pager, { page: 1, pages: 3, onPage: () => {} }));
  assert.match(first, /<nav aria-label="Pages"/);
  assert.match(first, / disabled>Previous page/);
  assert.doesNotMatch(first, / disabled>Next page/);
  assert.match(first, /Page 1 of 3/);
  assert.match(render(h(Pager, { page: 3, pages: 3, onPage: () => {} })), / disabled>Next page/);
  assert.match(
    render(h(LoadMore, { shown: 2, total: 5, label: "Load older", onMore: () => {} })),
    /Load older/,
  );
  assert.doesNotMatch(
    render(h(LoadMore, { shown: 5, total: 5, label: "Load older", onMore: () => {} })),
    /Load older/,
  );
});
