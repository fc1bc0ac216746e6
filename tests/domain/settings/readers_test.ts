/** Keys are spelled once: nothing outside the registry reads or writes the settings table directly. */
import assert from "node:assert/strict";

const ROOT = new URL("../../../", import.meta.url);
const ALLOWED = new Set([
  "domain/settings/workspace.ts",
  "db/repos/workspaces.ts",
  // A screenshot script that stages a demo state directly (not part of the server).
  "cli/screenshots_files.ts",
]);
async function* sources(dir: URL, rel = ""): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (["node_modules", "tests", "bench", "static", "docs", "data", ".git"].includes(e.name)) continue;
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) yield* sources(new URL(`${e.name}/`, dir), path);
    else if (/\.(ts|tsx)$/.test(e.name)) yield path;
  }
}

Deno.test("only the registry reads workspace settings (every reader goes through readSettings)", async () => {
  const offenders: string[] = [];
  for await (const path of sources(ROOT)) {
    if (ALLOWED.has(path)) continue;
    const text = await Deno.readTextFile(new URL(path, ROOT));
    if (/workspacesRepo\.(settings|putSetting|removeSetting)\(|workspace_settings/.test(text)) {
      offenders.push(path);
    }
  }
  assert.deepEqual(offenders, []);
});

Deno.test("only the preferences repo touches per-person preferences (notification choices included)", async () => {
  const offenders: string[] = [];
  for await (const path of sources(ROOT)) {
    if (path === "db/repos/preferences.ts") continue;
    const text = await Deno.readTextFile(new URL(path, ROOT));
    if (/\buser_preferences\b|\bnotification_prefs\b/.test(text)) offenders.push(path);
  }
  assert.deepEqual(offenders, []);
});
