/**
 * Who is on the other end: the peer address Deno.serve reports, and, only when that peer is one of
 * TRUSTED_PROXIES, what the proxy says in `X-Forwarded-For` / `X-Forwarded-Proto`. A header from anyone
 * else is ignored, so a client cannot pick the address its failed logins are counted against.
 *
 * @example
 * clientIp(c, ["10.0.0.0/8"]) // peer 10.0.0.5 with "X-Forwarded-For: 203.0.113.9" -> "203.0.113.9"
 */
import type { Context } from "hono";

/** An address as a 128-bit number (IPv4 mapped into ::ffff:0:0/96), or null when it is not an address. */
export function parseIp(text: string): bigint | null {
  let s = text.trim().toLowerCase();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const v4 = (x: string): bigint | null => {
    const parts = x.split(".");
    if (parts.length !== 4) return null;
    let n = 0n;
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
      n = (n << 8n) | BigInt(Number(p));
    }
    return n;
  };
  if (!s.includes(":")) {
    const n = v4(s);
    return n === null ? null : (0xffffn << 32n) | n;
  }
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  let tail: bigint | null = null;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    tail = v4(s.slice(lastColon + 1));
    if (tail === null) return null;
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail !== null) n = (n & ~0xffffffffn) | tail;
  return n;
}

/** Does `ip` fall in one of these entries (single addresses or CIDR ranges, IPv4 or IPv6)? */
export function ipInList(ip: string, list: string[]): boolean {
  const n = parseIp(ip);
  if (n === null) return false;
  for (const entry of list) {
    const [addr, bitsText] = entry.split("/");
    const base = parseIp(addr);
    if (base === null) continue;
    const isV4 = !addr.includes(":");
    let bits = bitsText === undefined ? 128 : Number(bitsText) + (isV4 ? 96 : 0);
    if (!Number.isInteger(bits) || bits < 0 || bits > 128) continue;
    if (bits === 0) return true;
    bits = 128 - bits;
    if (n >> BigInt(bits) === base >> BigInt(bits)) return true;
  }
  return false;
}

/** The TCP peer as Deno.serve reports it (`c.env` is its ServeHandlerInfo), or "unknown". */
export function peerAddress(c: Context): string {
  // deno-lint-ignore no-explicit-any
  const info = (c.env as any)?.remoteAddr ?? (c.env as any)?.info?.remoteAddr;
  return typeof info?.hostname === "string" ? info.hostname : "unknown";
}

/**
 * The client's address. Behind trusted proxies, the right-most `X-Forwarded-For` entry that is not itself
 * a trusted proxy (entries further left were written by the client and prove nothing).
 */
export function clientIp(c: Context, trusted: string[]): string {
  const peer = peerAddress(c);
  if (!trusted.length || !ipInList(peer, trusted)) return peer;
  const chain = (c.req.header("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = chain.length - 1; i >= 0; i--) {
    if (parseIp(chain[i]) === null) return peer;
    if (!ipInList(chain[i], trusted)) return chain[i];
  }
  return chain[0] ?? peer;
}

/**
 * The origin the browser sees for this request: scheme, host and port. The scheme is the request's own,
 * or `X-Forwarded-Proto` when a trusted proxy terminated TLS in front of us.
 */
export function ownOrigin(c: Context, trusted: string[]): string | null {
  const url = new URL(c.req.url);
  let proto = url.protocol.replace(":", "");
  if (trusted.length && ipInList(peerAddress(c), trusted)) {
    const fwd = c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
    if (fwd === "http" || fwd === "https") proto = fwd;
  }
  const host = c.req.header("host") ?? url.host;
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return null;
  }
}

/** `https://Host:443` -> `https://host`; null for anything that is not an http(s) origin. */
export function normaliseOrigin(text: string): string | null {
  try {
    const u = new URL(text);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    return u.origin;
  } catch {
    return null;
  }
}
