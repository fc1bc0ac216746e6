/**
 * Parley's own file of a profile frame's URL (relative to the repository), or null for the runtime's, a
 * library's or V8's code: used by bench/lib/profile_owners.ts (time) and bench/heap_sample.ts (bytes).
 */
export function ownFile(url: string): string | null {
  if (!url.startsWith("file://") || url.includes("/node_modules/") || url.includes("/.deno/")) return null;
  const m = url.match(/\/(domain|db|realtime|routes|bench|cli|notifications|shared)\/(.*)$/) ??
    url.match(/\/([^/]+\.tsx?)$/);
  return m ? (m.length > 2 ? `${m[1]}/${m[2]}` : m[1]) : url;
}

/**
 * The kind of code of a profile frame: V8's own entries (`(garbage collector)`, `(program)`, `(idle)`,
 * `(root)`), postgres.js, Hono, zod, Deno's runtime (`deno ext:deno_node/internal`), `app` for Parley's own
 * file, or the npm package (bench/lib/profile_owners.ts, bench/lib/profile_report.ts).
 */
export function codeKind(functionName: string, url: string): string {
  const f = functionName;
  if (f === "(garbage collector)" || f === "(program)" || f === "(idle)" || f === "(root)") return f;
  if (url.includes("postgres")) return f === "writeBuffer" ? "postgres.js writeBuffer" : "postgres.js";
  if (url.includes("hono")) return "hono";
  if (url.includes("zod")) return "zod";
  if (url.startsWith("ext:") || url.startsWith("node:")) {
    return `deno ${url.split("/").slice(0, 2).join("/")}`;
  }
  if (ownFile(url)) return "app";
  return url
    ? url.replace(/^.*\/(node_modules|npm)\//, "npm:").split("/").slice(0, 2).join("/")
    : `(${f || "anon"})`;
}
