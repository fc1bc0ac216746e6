/**
 * `deno task build`: bundles every island entry with esbuild into `static/build/<name>.<hash>.js`, extracts
 * the twind (Tailwind preset) classes used in the sources into `app.<hash>.css`, writes a compact emoji data
 * set from `emojibase-data`, and records it all in `static/build/manifest.json`, which the pages read.
 * Hashed files are served with `Cache-Control: immutable`. The server calls `ensureBuilt()` on start, which
 * rebuilds only when a source file changed since the manifest was written.
 *
 * @example
 * const m = await ensureBuilt();
 * m.files.chat // "chat.3f9a0c12de.js"
 */
import { defineConfig, stringify, twind, virtual } from "@twind/core";
import presetTailwind from "@twind/preset-tailwind";
import { encode } from "../routes/middleware/compress.ts";

const ROOT = new URL("../", import.meta.url);
export const BUILD_DIR = new URL("static/build/", ROOT);
const MANIFEST = new URL("manifest.json", BUILD_DIR);

/** Island entries: name -> source file. Each page loads exactly one. */
export const ENTRIES: Record<string, string> = {
  chat: "islands/entries/chat.tsx",
  login: "islands/entries/login.tsx",
  widget: "islands/entries/widget.tsx",
  admin: "islands/entries/admin.tsx",
  visitor: "islands/entries/visitor.tsx",
  calls_test: "islands/entries/calls_test.tsx",
};

/** Folders and files whose contents decide whether a rebuild is needed. */
const INPUTS = [
  "islands",
  "components",
  "i18n",
  "routes/pages",
  "routes/visitor",
  "realtime",
  "cli/build.ts",
  "deno.json",
];

export interface Manifest {
  inputHash: string;
  builtAt: string;
  /** Logical name -> file name in static/build: chat, login, widget, css, emoji. */
  files: Record<string, string>;
  /** Code-split chunks the entries import (by file name). */
  chunks?: string[];
  /** Per entry: the chunks it imports statically (preloaded by the page). */
  preload?: Record<string, string[]>;
  sizes: Record<string, { bytes: number; gzip: number }>;
}

/** The twind configuration: the Tailwind preset with every colour a CSS variable (see components/themes.ts). */
export const twindConfig = defineConfig({
  presets: [presetTailwind()],
  hash: false,
  theme: {
    extend: {
      colors: {
        sidebar: "var(--p-sidebar)",
        main: "var(--p-main)",
        input: "var(--p-input)",
        fg: "var(--p-text)",
        muted: "var(--p-muted)",
        line: "var(--p-border)",
        accent: { DEFAULT: "var(--p-accent)", fg: "var(--p-accent-fg)" },
        link: "var(--p-link)",
        danger: { DEFAULT: "var(--p-danger)", bg: "var(--p-danger-bg)" },
        ok: "var(--p-ok)",
        away: "var(--p-away)",
        busy: "var(--p-busy)",
        offline: "var(--p-offline)",
        badge: { DEFAULT: "var(--p-badge)", fg: "var(--p-badge-fg)" },
        hover: "var(--p-hover)",
        selected: "var(--p-selected)",
        mention: "var(--p-mention-bg)",
        focus: "var(--p-focus)",
        wprimary: "var(--w-primary)",
        waccent: "var(--w-accent)",
      },
    },
  },
});

async function sha(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function gzipSize(data: Uint8Array): Promise<number> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function* walk(url: URL): AsyncGenerator<URL> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(url);
  } catch {
    return;
  }
  if (info.isFile) {
    yield url;
    return;
  }
  const entries: string[] = [];
  for await (const e of Deno.readDir(url)) entries.push(e.isDirectory ? e.name + "/" : e.name);
  for (const name of entries.sort()) yield* walk(new URL(name, url.href.endsWith("/") ? url : url + "/"));
}

/** A hash over every input file's path and contents. */
export async function inputHash(): Promise<string> {
  const parts: string[] = [];
  for (const p of INPUTS) {
    for await (const f of walk(new URL(p, ROOT))) {
      if (!/\.(tsx?|json|css)$/.test(f.pathname)) continue;
      parts.push(f.href.slice(ROOT.href.length), await sha(await Deno.readFile(f)));
    }
  }
  return (await sha(parts.join("\n"))).slice(0, 16);
}

/** Class-like tokens in string literals of the UI sources, fed to twind to produce the stylesheet. */
async function classCandidates(): Promise<Set<string>> {
  const tokens = new Set<string>();
  for (const dir of ["islands", "components", "routes/pages", "routes/visitor", "routes/embed.ts"]) {
    for await (const f of walk(new URL(dir, ROOT))) {
      if (!/\.tsx?$/.test(f.pathname)) continue;
      const src = await Deno.readTextFile(f);
      for (const m of src.matchAll(/"([^"\n]*)"|`([^`]*)`|'([^'\n]*)'/g)) {
        for (const tok of (m[1] ?? m[2] ?? m[3]).split(/[\s${}]+/)) {
          if (/^[!a-z0-9@-][\w:/.\-\[\]%#(),!>*&=]*$/i.test(tok) && tok.length < 80) tokens.add(tok);
        }
      }
    }
  }
  return tokens;
}

/** Generates the stylesheet: Tailwind preflight plus every utility the sources use. */
export async function buildCss(): Promise<string> {
  const tw = twind(twindConfig, virtual());
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (const tok of await classCandidates()) {
      try {
        tw(tok);
      } catch { /* not a class */ }
    }
  } finally {
    console.warn = warn;
  }
  return stringify(tw.target);
}

/**
 * An emoji font served by Parley ("Parley Emoji": Noto Color Emoji from `@fontsource/noto-color-emoji`,
 * split by unicode-range), so the logo, reactions and group icons look the same on a machine without an
 * emoji font. It is last in the font stacks and prefers a local copy, so it downloads only where needed.
 */
async function buildEmojiFont(): Promise<string> {
  const dir = new URL("node_modules/@fontsource/noto-color-emoji/", ROOT);
  const css = await Deno.readTextFile(new URL("index.css", dir));
  const faces: string[] = [];
  for (const block of css.split("@font-face").slice(1)) {
    const file = /url\(\.\/files\/([\w.-]+\.woff2)\)/.exec(block)?.[1];
    const range = /unicode-range:\s*([^;]+);/.exec(block)?.[1];
    if (!file || !range) continue;
    const data = await Deno.readFile(new URL(`files/${file}`, dir));
    const name = `emoji-font.${(await sha(data)).slice(0, 10)}.woff2`;
    await writeAs(name, data);
    faces.push(
      `@font-face{font-family:"Parley Emoji";font-display:swap;src:local("Noto Color Emoji"),` +
        `local("Apple Color Emoji"),local("Segoe UI Emoji"),url(/static/build/${name}) format("woff2");` +
        `unicode-range:${range.trim()}}`,
    );
  }
  return faces.join("");
}

/** A compact emoji set for the picker: [emoji, label, group] without skin-tone variants or components. */
async function buildEmoji(): Promise<string> {
  const { default: data } = await import("emojibase-data/en/compact.json", { with: { type: "json" } });
  const rows = (data as { unicode: string; label: string; group?: number; order?: number }[])
    .filter((e) => e.group !== undefined && e.group !== 2 && e.order !== undefined)
    .sort((a, b) => a.order! - b.order!)
    .map((e) => [e.unicode, e.label, e.group]);
  return JSON.stringify(rows);
}

async function writeHashed(name: string, ext: string, data: Uint8Array, m: Manifest) {
  const file = `${name}.${(await sha(data)).slice(0, 10)}.${ext}`;
  await writeAs(file, data);
  m.files[name] = file;
  m.sizes[name] = { bytes: data.byteLength, gzip: await gzipSize(data) };
}

/** Writes an immutable build file (and its compressed twins) unless it is already there. */
async function writeAs(file: string, data: Uint8Array) {
  const url = new URL(file, BUILD_DIR);
  try {
    await Deno.stat(url);
  } catch {
    const tmp = new URL(`${file}.${crypto.randomUUID().slice(0, 8)}.tmp`, BUILD_DIR);
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, url);
  }
  if (/\.(js|css|json|svg)$/.test(file)) await writeCompressed(url, data);
}

/** The brotli and gzip twins of an immutable file, made once at build time (best compression). */
async function writeCompressed(url: URL, data: Uint8Array) {
  for (const [enc, suffix] of [["br", ".br"], ["gzip", ".gz"]] as const) {
    const twin = new URL(url.href + suffix);
    try {
      await Deno.stat(twin);
    } catch {
      const tmp = new URL(`${twin.href}.${crypto.randomUUID().slice(0, 8)}.tmp`);
      await Deno.writeFile(tmp, encode(data, enc, true));
      await Deno.rename(tmp, twin);
    }
  }
}

async function ensureNodeModules() {
  for (const pkg of ["preact", "@preact/signals", "marked", "dompurify", "@fontsource/noto-color-emoji"]) {
    try {
      await Deno.stat(new URL(`node_modules/${pkg}/package.json`, ROOT));
    } catch {
      const r = await new Deno.Command(Deno.execPath(), { args: ["install"], cwd: ROOT, stdout: "null" })
        .output();
      if (!r.success) {
        throw new Error("build: `deno install` failed; cannot resolve npm packages for the bundles");
      }
      return;
    }
  }
}

/** Builds everything and writes the manifest. */
export async function build(opts: { minify?: boolean; log?: (s: string) => void } = {}): Promise<Manifest> {
  const hash = await inputHash();
  await Deno.mkdir(BUILD_DIR, { recursive: true });
  await ensureNodeModules();
  const esbuild = await import("esbuild");
  const m: Manifest = { inputHash: hash, builtAt: new Date().toISOString(), files: {}, sizes: {} };
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT.pathname,
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, v])),
      bundle: true,
      format: "esm",
      target: ["es2022", "chrome110", "firefox110", "safari16"],
      minify: opts.minify ?? true,
      write: false,
      outdir: "out",
      // Shared code and the parts loaded on demand (dialogs, emoji picker) become chunks.
      splitting: true,
      entryNames: "[name].[hash]",
      chunkNames: "chunk.[hash]",
      metafile: true,
      jsx: "automatic",
      jsxImportSource: "preact",
      legalComments: "none",
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    });
    // esbuild names every output by its content hash; entries import chunks by those names.
    const entryOf = new Map<string, string>();
    for (const [path, meta] of Object.entries(result.metafile!.outputs)) {
      const entry = Object.entries(ENTRIES).find(([, src]) => meta.entryPoint === src)?.[0];
      if (entry) entryOf.set(path.split("/").pop()!, entry);
    }
    const base = (p: string) => p.split("/").pop()!;
    const outputs = result.metafile!.outputs;
    /** The chunks an output loads before it runs (static imports, transitively). */
    const staticClosure = (path: string, seen = new Set<string>()): Set<string> => {
      for (const i of outputs[path]?.imports ?? []) {
        if (i.kind === "import-statement" && !seen.has(i.path)) staticClosure(i.path, seen.add(i.path));
      }
      return seen;
    };
    const contents = new Map(result.outputFiles.map((o) => [base(o.path), o.contents]));
    for (const [file, data] of contents) {
      await writeAs(file, data);
      if (!entryOf.has(file)) (m.chunks ??= []).push(file);
    }
    for (const [path] of Object.entries(outputs)) {
      const entry = entryOf.get(base(path));
      if (!entry) continue;
      const needed = [...staticClosure(path)].map(base);
      m.files[entry] = base(path);
      (m.preload ??= {})[entry] = needed;
      // What the page downloads before the island runs: the entry and its static chunks.
      const all = [base(path), ...needed].map((f) => contents.get(f)!);
      const joined = new Uint8Array(all.reduce((n, a) => n + a.byteLength, 0));
      all.reduce((at, a) => (joined.set(a, at), at + a.byteLength), 0);
      m.sizes[entry] = { bytes: joined.byteLength, gzip: await gzipSize(joined) };
    }
  } finally {
    await esbuild.stop();
  }
  const emojiFont = await buildEmojiFont();
  // uPlot's own layout rules (the admin console's charts).
  const uplotCss = await Deno.readTextFile(new URL("node_modules/uplot/dist/uPlot.min.css", ROOT));
  await writeHashed("css", "css", new TextEncoder().encode(await buildCss() + emojiFont + uplotCss), m);
  await writeHashed("emoji", "json", new TextEncoder().encode(await buildEmoji()), m);
  const tmp = new URL(`manifest.${crypto.randomUUID().slice(0, 8)}.tmp`, BUILD_DIR);
  await Deno.writeTextFile(tmp, JSON.stringify(m, null, 2));
  await Deno.rename(tmp, MANIFEST);
  opts.log?.(report(m));
  return m;
}

export function report(m: Manifest): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const budget: Record<string, number> = { chat: 100 * 1024, widget: 35 * 1024 };
  const lines = Object.entries(m.sizes).map(([k, s]) => {
    const b = budget[k];
    const mark = b
      ? (s.gzip <= b ? `  (budget ${kb(b)} gzipped: ok)` : `  (OVER budget ${kb(b)} gzipped)`)
      : "";
    return `  ${m.files[k].padEnd(28)} ${kb(s.bytes).padStart(9)}  ${kb(s.gzip).padStart(8)} gzipped${mark}`;
  });
  return `build: static/build/\n${lines.join("\n")}`;
}

export async function readManifest(): Promise<Manifest | null> {
  try {
    return JSON.parse(await Deno.readTextFile(MANIFEST));
  } catch {
    return null;
  }
}

let pending: Promise<Manifest> | null = null;

/** Returns the manifest, building first when it is missing or older than the sources. */
export function ensureBuilt(log: (s: string) => void = console.log): Promise<Manifest> {
  pending ??= (async () => {
    const [m, hash] = await Promise.all([readManifest(), inputHash()]);
    if (m && m.inputHash === hash && await filesExist(m)) return m;
    log(m ? "build: sources changed, rebuilding the islands…" : "build: building the islands…");
    return await build({ log });
  })().finally(() => (pending = null));
  return pending;
}

async function filesExist(m: Manifest): Promise<boolean> {
  try {
    await Promise.all(
      [...Object.values(m.files), ...(m.chunks ?? [])].flatMap((f) =>
        /\.(js|css|json|svg)$/.test(f) ? [f, `${f}.br`, `${f}.gz`] : [f]
      )
        .map((f) => Deno.stat(new URL(f, BUILD_DIR))),
    );
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const m = await build({ minify: !Deno.args.includes("--dev") });
  console.log(report(m));
  const over = ["chat", "widget"].filter((k) =>
    m.sizes[k] && m.sizes[k].gzip > (k === "chat" ? 100 : 35) * 1024
  );
  if (over.length) console.warn(`build: over budget: ${over.join(", ")}`);
}
