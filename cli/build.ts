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
  const url = new URL(file, BUILD_DIR);
  try {
    await Deno.stat(url);
  } catch {
    const tmp = new URL(`${file}.${crypto.randomUUID().slice(0, 8)}.tmp`, BUILD_DIR);
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, url);
  }
  m.files[name] = file;
  m.sizes[name] = { bytes: data.byteLength, gzip: await gzipSize(data) };
}

async function ensureNodeModules() {
  for (const pkg of ["preact", "@preact/signals", "marked", "dompurify"]) {
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
      jsx: "automatic",
      jsxImportSource: "preact",
      legalComments: "none",
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    });
    for (const out of result.outputFiles) {
      const name = out.path.split("/").pop()!.replace(/\.js$/, "");
      await writeHashed(name, "js", out.contents, m);
    }
  } finally {
    await esbuild.stop();
  }
  await writeHashed("css", "css", new TextEncoder().encode(await buildCss()), m);
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
    await Promise.all(Object.values(m.files).map((f) => Deno.stat(new URL(f, BUILD_DIR))));
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
