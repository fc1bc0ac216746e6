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
