/**
 * `deno run -A cli/screenshots_settings.ts`: the screenshots of docs/settings.md from a throw-away server
 * with the demo data: the widget after the admin changed its settings (rounded square, top left, another
 * colour), and the "Change password" part of the settings dialog showing an inline error.
 */
import { signIn } from "../tests/browser/browser.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot }) => {
  const { page: admin } = await signIn(browser, server.url, "admin");
  const status = await admin.evaluate(async () =>
    (await fetch("/api/admin/settings", {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        "widget.shape": "rounded_square",
        "widget.position": "top-left",
        "widget.primary_color": "#6f42c1",
      }),
    })).status
  );
  if (status !== 200) throw new Error(`settings: ${status}`);
  const { page: bob } = await signIn(browser, server.url, "bob", {
    next: "/demo",
    viewport: { width: 900, height: 420 },
  });
  await bob.getByRole("button", { name: /^Open chat/ }).waitFor();
  await bob.waitForTimeout(300);
  await bob.screenshot({ path: shot("settings-widget-top-left.png") });

  await admin.getByRole("button", { name: "Settings" }).first().click();
  const form = admin.getByRole("form", { name: "Change password" });
  await form.getByLabel("Current password").fill("not it");
  await form.getByLabel("New password").fill("a much better secret");
  await form.getByRole("button", { name: "Change password" }).click();
  await form.getByText("Is not your current password.").waitFor();
  await form.screenshot({ path: shot("settings-change-password.png") });
  console.log("docs/screenshots/settings-*.png written");
});
