/**
 * Message bodies to safe HTML: `marked` (GFM, line breaks) with two inline extensions for @mentions and
 * #channel links, then DOMPurify. Untrusted text never reaches the DOM any other way.
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
    const me = tok.username.toLowerCase() === known.me.toLowerCase();
    return `<span class="mention${me ? " me" : ""}" data-user="${
      known.users.get(tok.username.toLowerCase())
    }">@${escapeHtml(tok.username)}</span>`;
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
    return `<a class="chan" href="/chat/${known.channels.get(tok.name.toLowerCase())}">#${
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
md.use({ extensions: [mention, channelLink, shortcode] });

let hooked = false;
function purify(html: string): string {
  if (!DOMPurify.isSupported) return escapeHtml(html.replace(/<[^>]*>/g, ""));
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && !node.classList.contains("chan")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
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
    ALLOWED_ATTR: ["href", "class", "data-user", "target", "rel", "title"],
  });
}

const cache = new Map<string, string>();

/** Sets the names that @ and # resolve to (members and channels the user knows). */
export function setKnown(k: Known) {
  known = k;
  cache.clear();
}

/** Renders a message body (cached by key, e.g. id + edit time). */
/**
 * Chat quoting: a line after a "> quote" line ends the quote (markdown would pull it in as a lazy
 * continuation). Lines inside code fences are left alone.
 */
export function endQuotes(body: string): string {
  const out: string[] = [];
  let fence = false;
  let prevQuote = false;
  for (const line of body.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const quote = !fence && /^\s{0,3}>/.test(line);
    if (prevQuote && !quote && line.trim() !== "") out.push("");
    out.push(line);
    prevQuote = quote;
  }
  return out.join("\n");
}

export function renderMarkdown(body: string, key?: string): string {
  if (key && cache.has(key)) return cache.get(key)!;
  const html = purify(md.parse(endQuotes(body)) as string);
  if (key) {
    if (cache.size > 3000) cache.delete(cache.keys().next().value!);
    cache.set(key, html);
  }
  return html;
}
