/**
 * `deno run -A cli/screenshots_files.ts`: the screenshots of docs/files-and-search.md — a message with a
 * pasted image and a PDF, refused uploads, and search results — from a throw-away server with demo data.
 */
import { openConversation, sendMessage, signIn } from "../tests/browser/browser.ts";
import { dropFile, pasteImage, pdf } from "../tests/browser/files_helpers.ts";
import * as workspacesRepo from "../db/repos/workspaces.ts";
import { screenshotRun } from "./screenshot_run.ts";

await screenshotRun(async ({ server, browser, shot }) => {
  const ws = await workspacesRepo.bySlug(server.deps.db, "demo");
  await workspacesRepo.putSetting(server.deps.db, ws!.id, "files.max_bytes", 50_000);
  const { page: alice } = await signIn(browser, server.url, "alice");
  await alice.setViewportSize({ width: 1200, height: 760 });
  await openConversation(alice, /general/);
  await sendMessage(alice, "明日は東京で会議があります — ticket #4521 is on the agenda");
  await pasteImage(alice);
  await dropFile(alice, "q3-report.pdf", pdf(), "application/pdf");
  const tray = alice.getByRole("list", { name: "Files to send" });
  await tray.getByRole("button", { name: "Remove q3-report.pdf" }).waitFor();
  await tray.getByRole("button", { name: "Remove screenshot.png" }).waitFor();
  await sendMessage(alice, "Here is the screenshot and the report");
  await alice.getByRole("button", { name: "View image screenshot.png" }).waitFor();
  await alice.waitForTimeout(800);
  await alice.screenshot({ path: shot("files-message.png") });
  await dropFile(alice, "cute-cat.png", "<!DOCTYPE html><script>alert(1)</script>", "image/png");
  await dropFile(alice, "huge.pdf", pdf(60_000), "application/pdf");
  await alice.getByRole("alert").filter({ hasText: /cannot be shared/ }).waitFor();
  await alice.screenshot({ path: shot("files-upload-errors.png") });
  await alice.getByRole("button", { name: "Remove cute-cat.png" }).click();
  await alice.getByRole("button", { name: "Remove huge.pdf" }).click();
  await alice.keyboard.press("Control+k");
  await alice.getByRole("searchbox", { name: "Search" }).fill("東京");
  await alice.getByRole("region", { name: "Search results" }).getByRole("button", {
    name: /^Jump to message/,
  })
    .first().waitFor();
  await alice.waitForTimeout(300);
  await alice.screenshot({ path: shot("search-results.png") });
  console.log("wrote docs/screenshots/files-message.png, files-upload-errors.png, search-results.png");
});
