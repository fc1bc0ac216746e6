/**
 * The bench's write-ups are cited by file and section title from code comments and docs
 * (`bench/notes/fan_out.md, "Fan-out per delivery"`). These tests keep the citations and the links between
 * the bench's markdown files pointing at something that exists: a cited title must begin a heading of the
 * file it names, and a relative link's file and `#anchor` (GitHub's heading slugs) must exist.
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);
const SKIP = new Set([".git", "data", "static/build", "bench/results"]);
const EXT = /\.(ts|tsx|js|sql|md)$/;

async function files(dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(new URL(dir || ".", root))) {
    const path = dir ? `${dir}/${e.name}` : e.name;
    // Installed packages at any depth (the bench's Socket.io baseline has its own node_modules).
    if (SKIP.has(path) || e.name === "node_modules") continue;
    if (e.isDirectory) out.push(...await files(path));
    else if (e.isFile && EXT.test(e.name)) out.push(path);
  }
  return out;
}

const read = (path: string) => Deno.readTextFile(new URL(path, root));

/** Headings of a markdown file outside fenced code, as written (no `#`s). */
function headings(md: string): string[] {
  const out: string[] = [];
  let fence = false;
  for (const line of md.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    const m = !fence && /^#{1,6} (.*\S)\s*$/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

/** GitHub's anchor for a heading (github-slugger): lower case, punctuation dropped, spaces to `-`. */
export function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** Every anchor of a markdown file, repeats numbered as GitHub does (`x`, `x-1`, `x-2`). */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(md)) {
    const s = slug(h);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n ? `${s}-${n}` : s);
  }
  return out;
}

/** A file's text with comment markers at line starts removed and all whitespace one space. */
function flat(text: string): string {
  return text.replace(/\n[ \t]*(?:\*|\/\/|--)(?=[ \t\n])/g, "\n").replace(/\s+/g, " ");
}

interface Citation {
  from: string;
  file: string;
  title: string;
}

/**
 * `bench/notes/x.md, "Title"`, `bench/README.md, "Title"` (with or without backticks) and `bench README,
 * "Title"`; inside bench/, also `README, "Title"` (the bench's README). Markdown links are read as their text.
 */
export function citations(from: string, text: string): Citation[] {
  const t = flat(text).replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
  const out: Citation[] = [];
  const re = /(`?)(bench\/[\w/.-]+\.md|bench README|\bREADME)\1,? "([^"]+)"/g;
  for (const m of t.matchAll(re)) {
    let file = m[2];
    if (file === "README") {
      if (!from.startsWith("bench/") || /bench\/$/.test(t.slice(0, m.index))) continue;
      file = "bench/README.md";
    }
    if (file === "bench README") file = "bench/README.md";
    out.push({ from, file, title: m[3].trim() });
  }
  return out;
}

Deno.test("the citation reader finds the forms the code and docs use", () => {
  const c = citations(
    "x.ts",
    `// a (bench/notes/fan_out.md, "Fan-out per\n  // delivery", fifth pass) and (bench README, "The steady tail") and\n` +
      '// `bench/README.md`, "How it measures"; (README, "Processes") is not the bench\'s outside bench/',
  );
  assert.deepEqual(c.map((x) => [x.file, x.title]), [
    ["bench/notes/fan_out.md", "Fan-out per delivery"],
    ["bench/README.md", "The steady tail"],
    ["bench/README.md", "How it measures"],
  ]);
  assert.equal(
    slug("Connects: where the server's time goes (issue 16, twelfth pass)"),
    "connects-where-the-servers-time-goes-issue-16-twelfth-pass",
  );
  assert.equal(
    slug("Quiet run after the fourth pass (2026-12-02 05:11, load < 2)"),
    "quiet-run-after-the-fourth-pass-2026-12-02-0511-load--2",
  );
  assert.equal(slug("Benchmarks: `deno task bench`"), "benchmarks-deno-task-bench");
});

Deno.test("every cited bench section is a heading of the file the citation names", async () => {
  const all = await files();
  const cited: Citation[] = [];
  // (Not this file: its own examples are made up.)
  for (const f of all) {
    if (f !== "tests/docs/bench_citations_test.ts") cited.push(...citations(f, await read(f)));
  }
  assert.ok(cited.length > 40, `only ${cited.length} citations found: is the reader broken?`);
  const heads = new Map<string, string[]>();
  const bad: string[] = [];
  for (const c of cited) {
    if (!heads.has(c.file)) {
      heads.set(
        c.file,
        await read(c.file).then((md) => headings(md).map((h) => h.replace(/\s+/g, " ")), () => []),
      );
    }
    const hs = heads.get(c.file)!;
    if (!hs.length) bad.push(`${c.from}: ${c.file} does not exist (citing "${c.title}")`);
    else if (!hs.some((h) => h.startsWith(c.title))) {
      bad.push(`${c.from}: ${c.file} has no heading "${c.title}"`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("relative links of the bench's markdown, and links into bench/, reach a file and a heading", async () => {
  const mds = (await files()).filter((f) => f.endsWith(".md"));
  const bad: string[] = [];
  let checked = 0;
  for (const f of mds) {
    const text = await read(f);
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = m[1];
      if (/^[a-z]+:/i.test(href)) continue;
      const [path, anchor] = href.split("#");
      const target = path ? new URL(path, new URL(f, root)) : new URL(f, root);
      const rel = target.pathname.slice(root.pathname.length);
      if (!f.startsWith("bench/") && !rel.startsWith("bench/")) continue;
      checked++;
      const md = await Deno.readTextFile(target).catch(() => null);
      if (md === null) bad.push(`${f}: ${href}: no such file`);
      else if (anchor && !anchors(md).has(anchor)) bad.push(`${f}: ${href}: no such heading in ${rel}`);
    }
  }
  assert.ok(checked > 100, `only ${checked} links checked`);
  assert.deepEqual(bad, []);
});
