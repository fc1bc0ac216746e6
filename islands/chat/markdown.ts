/**
 * Message bodies to safe HTML: `marked` (GFM, line breaks) with two inline extensions for @mentions and
 * #channel links, then DOMPurify. Untrusted text never reaches the DOM any other way.
 *
 * The author's markup never carries attributes of its own: HTML typed into a message is shown as text,
 * and the sanitizer keeps only `href` and `title` (plus the data attributes Parley's own extensions
 * write). No `class`, `style` or `id` survives, so a message cannot restyle or cover the page; Parley adds
 * its own classes (mention pills, channel links) after sanitizing.
 */
import { Marked, type TokenizerAndRendererExtension } from "marked";
import DOMPurify from "dompurify";
import { escapeHtml } from "../../components/html.ts";

export { plainText } from "./text.ts";

export interface Known {
  users: Map<string, number>;
  channels: Map<string, number>;
  me: string;
}

const SHORTCODES: Record<string, string> = {
  wave: "👋",
  "+1": "👍",
  thumbsup: "👍",
  "-1": "👎",
  smile: "😄",
  joy: "😂",
  heart: "❤️",
  tada: "🎉",
  fire: "🔥",
  eyes: "👀",
  rocket: "🚀",
  white_check_mark: "✅",
  thinking: "🤔",
  pray: "🙏",
  clap: "👏",
  coffee: "☕",
};

let known: Known = { users: new Map(), channels: new Map(), me: "" };

const mention: TokenizerAndRendererExtension = {
  name: "mention",
  level: "inline",
  start: (src: string) => src.match(/@[a-zA-Z0-9]/)?.index,
  tokenizer(src: string) {
    const m = /^@([a-zA-Z0-9._-]{1,64})/.exec(src);
    if (!m) return undefined;
    const name = m[1].replace(/[.]+$/, "");
    if (!known.users.has(name.toLowerCase())) return undefined;
    return { type: "mention", raw: "@" + name, username: name };
  },
  renderer(tok) {
    return `<span data-user="${known.users.get(tok.username.toLowerCase())}">@${
      escapeHtml(tok.username)
    }</span>`;
  },
};

const channelLink: TokenizerAndRendererExtension = {
  name: "channelLink",
  level: "inline",
  start: (src: string) => src.match(/#[a-zA-Z0-9]/)?.index,
  tokenizer(src: string) {
    const m = /^#([\p{L}\p{N}][\p{L}\p{N}._-]*)/u.exec(src);
    if (!m) return undefined;
    const name = m[1].replace(/[.]+$/, "");
    if (!known.channels.has(name.toLowerCase())) return undefined;
    return { type: "channelLink", raw: "#" + name, name };
  },
  renderer(tok) {
    return `<a data-chan="" href="/chat/${known.channels.get(tok.name.toLowerCase())}">#${
      escapeHtml(tok.name)
    }</a>`;
  },
};

const shortcode: TokenizerAndRendererExtension = {
  name: "shortcode",
  level: "inline",
  start: (src: string) => src.match(/:[a-z+-]/)?.index,
  tokenizer(src: string) {
    const m = /^:([a-z0-9_+-]{1,30}):/.exec(src);
    if (!m || !SHORTCODES[m[1]]) return undefined;
    return { type: "shortcode", raw: m[0], emoji: SHORTCODES[m[1]] };
  },
  renderer: (tok) => tok.emoji,
};

const md = new Marked({ gfm: true, breaks: true, async: false });
md.use({
  extensions: [mention, channelLink, shortcode],
  // HTML typed into a message is text: the author's markup, with its attributes, never reaches the page.
  renderer: {
    html: (t) => ("block" in t && t.block ? `<p>${escapeHtml(t.text.trimEnd())}</p>` : escapeHtml(t.text)),
  },
});

let hooked = false;
function purify(html: string): string {
  if (!DOMPurify.isSupported) return escapeHtml(html.replace(/<[^>]*>/g, ""));
  if (!hooked) {
    hooked = true;
    // Runs after each element's attributes were sanitized: only now does Parley add its own.
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && node.hasAttribute("data-chan")) node.setAttribute("class", "chan");
      else if (node.tagName === "A") {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
      if (node.tagName === "SPAN" && node.hasAttribute("data-user")) {
        const me = known.users.get(known.me.toLowerCase());
        node.setAttribute("class", node.getAttribute("data-user") === String(me) ? "mention me" : "mention");
      }
      if (node.tagName === "IMG") node.remove();
    });
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: [
      "p",
      "br",
      "strong",
      "b",
      "em",
      "i",
      "del",
      "s",
      "code",
      "pre",
      "a",
      "ul",
      "ol",
      "li",
      "blockquote",
      "span",
      "h1",
      "h2",
      "h3",
      "h4",
      "hr",
      "table",
      "thead",
      "tbody",
      "tr",
      "th",
      "td",
    ],
    // No class, style or id from the author; no data attributes but the two Parley writes.
    ALLOWED_ATTR: ["href", "title", "data-user", "data-chan"],
    FORBID_ATTR: ["class", "style", "id"],
    ALLOW_DATA_ATTR: false,
  });
}

const cache = new Map<string, string>();

/** Sets the names that @ and # resolve to (members and channels the user knows). */
export function setKnown(k: Known) {
  known = k;
  cache.clear();
}

/** Renders a message body (cached by key, e.g. id + edit time). */
export function renderMarkdown(body: string, key?: string): string {
  if (key && cache.has(key)) return cache.get(key)!;
  const html = purify(md.parse(body) as string);
  if (key) {
    if (cache.size > 3000) cache.delete(cache.keys().next().value!);
    cache.set(key, html);
  }
  return html;
}
