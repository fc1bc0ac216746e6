import assert from "node:assert/strict";
import { DOCS, settingsDoc, widgetDoc } from "../../cli/settings_docs.ts";

async function fmt(md: string): Promise<string> {
  const p = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    stdin: "piped",
    stdout: "piped",
  })
    .spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(md));
  await w.close();
  return new TextDecoder().decode((await p.output()).stdout);
}

Deno.test("docs/settings.md and the widget table in docs/widget.md are the registry's (deno task settings-docs)", async () => {
  const settings = await Deno.readTextFile(new URL("settings.md", DOCS));
  assert.equal(settings, await fmt(settingsDoc()), "docs/settings.md is stale: run deno task settings-docs");
  const widget = await Deno.readTextFile(new URL("widget.md", DOCS));
  assert.equal(widget, await fmt(widgetDoc(widget)), "docs/widget.md is stale: run deno task settings-docs");
  // And the docs name no widget setting the API refuses (the old names).
  for (const old of ["`widget.primary`", "`widget.accent`", "`rounded`,", "`slide`,"]) {
    assert.ok(!widget.includes(old), old);
  }
});
