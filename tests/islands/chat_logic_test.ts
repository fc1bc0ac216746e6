import assert from "node:assert/strict";
import type { Message } from "../../realtime/protocol.ts";
import { buildRows } from "../../islands/chat/MessageList.tsx";
import { canModify } from "../../islands/chat/MessageItem.tsx";
import { parseRoute } from "../../islands/chat/ChatApp.tsx";
import { postingBlock } from "../../islands/chat/Composer.tsx";
import { DEFAULT_LOOK, lookFromSettings, WIDGET_CSS } from "../../islands/widget/look.ts";
import { WIDGET_ANIMATIONS, WIDGET_SHAPES } from "../../domain/settings/areas/widget.ts";
import { WORKSPACE_SETTINGS } from "../../domain/settings/catalog.ts";
import { resolveValues } from "../../domain/settings/registry.ts";
import { publicPart } from "../../domain/settings/workspace.ts";
import { onColor } from "../../components/themes.ts";
import { plainText } from "../../islands/chat/text.ts";
import { endQuotes, renderMarkdown } from "../../islands/chat/markdown.ts";
import { textMessage } from "../helpers/message.ts";

let id = 0;
function msg(senderId: number, createdAt: string, extra: Partial<Message> = {}): Message {
  id++;
  return textMessage(id, { senderId, clientId: `c${id}`, createdAt, ...extra });
}

Deno.test("rows: grouped by sender and day, with the unread divider before the first unread from others", () => {
  id = 0;
  const ms = [
    msg(1, "2026-03-09T10:00:00"),
    msg(1, "2026-03-09T10:01:00"),
    msg(2, "2026-03-09T10:02:00"),
    msg(2, "2026-03-10T09:00:00"),
    msg(2, "2026-03-10T09:30:00"),
  ];
  const rows = buildRows(ms, [], 1, 3);
  const shape = rows.map((r) => r.kind === "msg" ? `${r.m.id}${r.first ? "*" : ""}` : r.kind);
  assert.deepEqual(shape, ["day", "1*", "2", "3*", "day", "new", "4*", "5*"]);
});

Deno.test("rows: no divider when nothing is unread; outbox items come last", () => {
  id = 0;
  const rows = buildRows(
    [msg(2, "2026-03-09T10:00:00")],
    [{
      clientId: "x",
      channelId: 1,
      body: "pending",
      replyTo: null,
      state: "pending",
      createdAt: "2026-03-09T10:05:00",
    }],
    1,
    null,
  );
  assert.deepEqual(rows.map((r) => r.kind), ["day", "msg", "out"]);
});

Deno.test("edit window: own, not deleted, and within the window", () => {
  const m = msg(1, new Date(Date.now() - 60_000).toISOString());
  assert.equal(canModify(m, 1, 180), true);
  assert.equal(canModify(m, 2, 180), false);
  assert.equal(canModify(m, 1, 30), false);
  assert.equal(canModify({ ...m, deletedAt: new Date().toISOString() }, 1, 180), false);
});

Deno.test("routes: /chat deep links", () => {
  assert.deepEqual(parseRoute("/chat"), { channelId: null, messageId: null });
  assert.deepEqual(parseRoute("/chat/12"), { channelId: 12, messageId: null });
  assert.deepEqual(parseRoute("/chat/12/345"), { channelId: 12, messageId: 345 });
});

Deno.test("composer: explains why posting is not possible", () => {
  const base = {
    id: 1,
    kind: "public_channel" as const,
    name: "a",
    displayName: "# a",
    description: "",
    readOnly: false,
    allowPosting: true,
    archived: false,
    lastSeq: 0,
    lastMessageAt: null,
    memberCount: 1,
    myRole: "member",
    canPost: true,
  };
  assert.equal(postingBlock(base), null);
  assert.match(postingBlock({ ...base, readOnly: true, canPost: false })!, /read-only/);
  assert.match(postingBlock({ ...base, canPost: false })!, /blocked/);
  assert.match(postingBlock({ ...base, archived: true })!, /archived/);
  assert.match(postingBlock({ ...base, myRole: null })!, /Join/);
});

Deno.test("widget look: from the registry's widget settings, text colour follows the primary colour", () => {
  const defaults = publicPart(resolveValues(WORKSPACE_SETTINGS, {}));
  assert.deepEqual(lookFromSettings(defaults, onColor), DEFAULT_LOOK);
  const l = lookFromSettings({
    ...defaults,
    "widget.shape": "rounded_square",
    "widget.primary_color": "#222222",
    "widget.position": "top-left",
    "widget.animation": "slide_in",
  }, onColor);
  assert.equal(l.shape, "rounded_square");
  assert.equal(l.primaryFg, "#ffffff");
  assert.equal(l.position, "top-left");
  assert.equal(l.animation, "slide_in");
  // Every shape and animation the registry accepts has its CSS.
  for (const shape of WIDGET_SHAPES) assert.ok(WIDGET_CSS.includes(`.pw-${shape}{`), shape);
  for (const a of WIDGET_ANIMATIONS.filter((a) => a !== "none")) {
    assert.ok(WIDGET_CSS.includes(`.pw-anim-${a}{`), a);
  }
});

Deno.test("text: previews drop markdown; without a DOM the markdown renderer only ever escapes", () => {
  assert.equal(plainText("**bold** and `code`\n\n```\nx\n```"), "bold and code [code]");
  const html = renderMarkdown("<img src=x onerror=alert(1)> **hi**");
  assert.ok(!html.includes("<img"), html);
});

Deno.test("markdown: a line after a quote is not pulled into it (code fences untouched)", async () => {
  const { marked } = await import("marked");
  const html = await marked.parse(endQuotes("> quoted\nmy answer"));
  assert.match(html, /<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>\s*<p>my answer<\/p>/);
  assert.equal(endQuotes("> a\n> b"), "> a\n> b");
  assert.equal(endQuotes("```\n> x\ny\n```"), "```\n> x\ny\n```");
  assert.equal(endQuotes("> a\n\nb"), "> a\n\nb");
});
