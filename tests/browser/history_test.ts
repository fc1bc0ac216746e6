/**
 * A conversation of 10,000 messages in a real browser: opening it with unread messages lands on the first
 * unread one with the "Jump to first unread" / "Mark as read" bar, reading is recorded as the person
 * scrolls, and scrolling up loads older pages continuously while the message being read stays exactly
 * where it was, down to the "Beginning of the conversation" marker, with frame times measured on the way.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import * as channels from "../../domain/channels.ts";
import * as usersRepo from "../../db/repos/users.ts";
import * as workspacesRepo from "../../db/repos/workspaces.ts";
import { actorFromUser } from "../../domain/auth.ts";
import { browserAvailable, launch, type ParleyHandle, signIn, startTestServer } from "./browser.ts";

const TOTAL = 10_000;
const UNREAD = 120;
const opts = { sanitizeOps: false, sanitizeResources: false };

type Counts = { value: Record<number, { unread: number }> };
const unreadOf = (page: Page, id: number) =>
  page.evaluate(
    (id) =>
      ((globalThis as unknown as ParleyHandle).parley.client as unknown as { counts: Counts }).counts
        .value[id]
        ?.unread ?? 0,
    id,
  );

Deno.test(
  { name: "browser: history at 10,000 messages", ignore: !browserAvailable(), ...opts },
  async (t) => {
    const server = await startTestServer();
    const db = server.deps.db;
    const ws = (await workspacesRepo.bySlug(db, "demo"))!;
    const admin = (await usersRepo.byUsername(db, ws.id, "admin"))!;
    const alice = (await usersRepo.byUsername(db, ws.id, "alice"))!;
    const bob = (await usersRepo.byUsername(db, ws.id, "bob"))!;
    const ch = await channels.create(server.deps, actorFromUser(admin, null), {
      name: "history",
      memberIds: [alice.id, bob.id],
    });
    // 10,000 messages from Bob, a second apart, in one statement; Alice has read all but the last 120.
    await db.query(
      `INSERT INTO messages (workspace_id, channel_id, sender_id, client_id, seq, body, created_at)
     SELECT $1, $2, $3, 'h-' || g, g, 'History message ' || g, now() - make_interval(secs => $4 - g)
     FROM generate_series(1, $4::int) g`,
      [ws.id, ch.id, bob.id, TOTAL],
    );
    await db.query(`UPDATE channels SET last_seq = $2, last_message_at = now() WHERE id = $1`, [
      ch.id,
      TOTAL,
    ]);
    await db.query(`UPDATE members SET last_read_seq = $3 WHERE channel_id = $1 AND user_id = $2`, [
      ch.id,
      alice.id,
      TOTAL - UNREAD,
    ]);
    let browser: Browser | null = null;
    try {
      browser = await launch();
      const { page } = await signIn(browser, server.url, "alice", { next: `/chat/${ch.id}` });
      const log = page.getByRole("log", { name: "Messages in # history" });
      await log.waitFor();
      await page.waitForFunction(() =>
        (globalThis as unknown as ParleyHandle).parley?.client.status.value === "open"
      );

      await t.step("it opens on the first unread message with the unread bar", async () => {
        const bar = page.getByRole("region", { name: "Unread messages" });
        await bar.waitFor();
        await bar.getByRole("button", { name: "Jump to first unread" }).waitFor();
        const divider = log.getByRole("separator", { name: "New messages" });
        await divider.waitFor();
        const first = log.locator("[data-message-id]").filter({
          hasText: `History message ${TOTAL - UNREAD + 1}`,
        });
        await first.waitFor();
        const [logBox, firstBox] = [await log.boundingBox(), await first.boundingBox()];
        assert.ok(
          firstBox!.y >= logBox!.y && firstBox!.y < logBox!.y + 120,
          "first unread at the top of the view",
        );
        // The newest message is far below: it has not been seen, so not everything is read.
        assert.ok(await unreadOf(page, ch.id) > 0);
        // What was there on opening is not announced as newly arrived.
        assert.equal(await page.getByRole("button", { name: /new messages/ }).count(), 0);
      });

      await t.step(
        "reading is recorded as the person scrolls down, then Mark as read clears the rest",
        async () => {
          const before = await unreadOf(page, ch.id);
          await log.hover();
          await page.mouse.wheel(0, 600);
          await page.waitForFunction(
            ([id, n]) =>
              ((globalThis as unknown as ParleyHandle).parley.client as unknown as { counts: Counts }).counts
                .value[id]
                .unread < n,
            [ch.id, before] as const,
          );
          const after = await unreadOf(page, ch.id);
          assert.ok(after > 0 && after < before, `partly read: ${before} -> ${after}`);
          await page.getByRole("button", { name: "Mark as read" }).click();
          await page.waitForFunction(
            (id) =>
              ((globalThis as unknown as ParleyHandle).parley.client as unknown as { counts: Counts }).counts
                .value[id]
                .unread === 0,
            ch.id,
          );
          await page.getByRole("region", { name: "Unread messages" }).waitFor({ state: "detached" });
        },
      );

      await t.step("scrolling up keeps the reading position while older rows arrive", async () => {
        // Let the view settle after Mark as read before reading positions.
        await page.waitForTimeout(500);
        const heldCount = () =>
          page.evaluate((id) =>
            ((globalThis as unknown as ParleyHandle).parley.client as unknown as {
              chat: { value: Record<number, { messages: unknown[] }> };
            }).chat.value[id].messages.length, ch.id);
        const before = await heldCount();
        // Each round puts the top of the log in view: the next rows are revealed from the window or, every
        // few rounds, an older page is loaded. The oldest shown message then loses its day divider and its
        // sender header (it joins the group of the rows above); the text being read must not move.
        for (let i = 0; i < 10; i++) {
          const held = await page.evaluate(() => {
            const log = document.querySelector<HTMLElement>("[role=log][aria-label^='Messages in']")!;
            log.scrollTop = 0;
            const top = log.getBoundingClientRect().top;
            const row = [...log.querySelectorAll<HTMLElement>("[data-message-id]")].find((r) =>
              r.getBoundingClientRect().bottom > top
            )!;
            const text = row.querySelector(".md")!;
            return { id: row.dataset.messageId!, top: text.getBoundingClientRect().top - top };
          });
          await page.waitForFunction((id) => {
            const log = document.querySelector<HTMLElement>("[role=log][aria-label^='Messages in']")!;
            return log.scrollTop > 200 && !!log.querySelector(`[data-message-id="${id}"]`);
          }, held.id);
          await page.evaluate(() =>
            new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
          );
          const now = await page.evaluate((id) => {
            const log = document.querySelector<HTMLElement>("[role=log][aria-label^='Messages in']")!;
            const text = log.querySelector<HTMLElement>(`[data-message-id="${id}"] .md`)!;
            return text.getBoundingClientRect().top - log.getBoundingClientRect().top;
          }, held.id);
          assert.ok(Math.abs(now - held.top) <= 1, `message ${held.id} moved from ${held.top} to ${now}`);
        }
        // At least one round loaded an older page from the server (not only rows already held).
        assert.ok(await heldCount() > before, "older pages were loaded");
      });

      await t.step("continuous scrolling reaches the beginning; frames stay short", async () => {
        await page.evaluate(() => {
          const w = globalThis as unknown as { frames: number[]; stopFrames: boolean };
          w.frames = [];
          w.stopFrames = false;
          let last = performance.now();
          const tick = (now: number) => {
            w.frames.push(now - last);
            last = now;
            if (!w.stopFrames) requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        await log.hover();
        const marker = log.getByRole("note", { name: "Beginning of the conversation" });
        const deadline = Date.now() + 480_000;
        let maxRows = 0;
        while (!(await marker.isVisible()) && Date.now() < deadline) {
          await page.mouse.wheel(0, -2500);
          await page.waitForTimeout(30);
          maxRows = Math.max(maxRows, await log.locator("[data-message-id]").count());
        }
        assert.ok(await marker.isVisible(), "the beginning of the conversation was reached");
        await log.getByText("History message 1", { exact: true }).waitFor();
        const frames = await page.evaluate(() => {
          const w = globalThis as unknown as { frames: number[]; stopFrames: boolean };
          w.stopFrames = true;
          return w.frames.slice(1);
        });
        const sorted = [...frames].sort((a, b) => a - b);
        const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
        const held = await page.evaluate(() =>
          ((globalThis as unknown as ParleyHandle).parley.client as unknown as {
            chat: { value: Record<number, { messages: unknown[] }> };
          }).chat.value
        ).then((c) => c[ch.id].messages.length);
        console.log(
          `history: ${held} messages held, at most ${maxRows} rows in the DOM; ${frames.length} frames: ` +
            `p50 ${pct(0.5).toFixed(1)} ms, p95 ${pct(0.95).toFixed(1)} ms, p99 ${
              pct(0.99).toFixed(1)
            } ms, ` +
            `max ${sorted[sorted.length - 1].toFixed(1)} ms`,
        );
        assert.equal(held, TOTAL);
        assert.ok(maxRows <= 250, `the DOM stays windowed (${maxRows} rows)`);
        assert.ok(pct(0.5) < 50, `median frame ${pct(0.5)} ms`);
      });
    } finally {
      await browser?.close();
      await server.shutdown();
    }
  },
);
