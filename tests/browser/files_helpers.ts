/** Browser helpers for files: paste an image, drop a file, a minimal PDF. Used by the tests and cli/screenshots_files.ts. */
import type { Page } from "playwright-core";

export const log = (page: Page) => page.getByRole("log", { name: /^Messages in/ });

/** Dispatches a paste of a PNG drawn on a canvas into the composer. */
export async function pasteImage(page: Page) {
  await page.getByRole("textbox", { name: /^Message / }).first().evaluate(async (el) => {
    const c = document.createElement("canvas");
    c.width = 120;
    c.height = 80;
    const g = c.getContext("2d")!;
    g.fillStyle = "#c33";
    g.fillRect(0, 0, 120, 80);
    const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), "image/png"));
    const dt = new DataTransfer();
    dt.items.add(new File([blob], "screenshot.png", { type: "image/png" }));
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  });
}

/** Drops a file with the given text content and name onto the conversation. */
export async function dropFile(page: Page, name: string, content: string, type: string) {
  const dt = await page.evaluateHandle(([name, content, type]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], name, { type }));
    return dt;
  }, [name, content, type]);
  await log(page).dispatchEvent("dragover", { dataTransfer: dt });
  await log(page).dispatchEvent("drop", { dataTransfer: dt });
}

export const pdf = (pad = 0) =>
  `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%${
    "x".repeat(pad)
  }\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
