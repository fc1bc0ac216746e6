/**
 * What each per-request compression setting costs and gives for Parley's own responses
 * (bench/notes/history_page.md, "The history page's server time and the floor of a request", fifteenth pass).
 * Starts this tree's Parley in-process on the filled database of `bench/history_tail.ts --reuse`, fetches
 * uncompressed (`identity`) bodies of responses that `routes/middleware/compress.ts` compresses per request
 * (a latest and a deep history page, the channel list, the login and chat pages' HTML, the OpenAPI document),
 * then compresses each one `--n` times per setting, alternating the settings each round, and prints the
 * median µs and the bytes.
 *
 *   DATABASE_URL=… flock /tmp/bench.lock taskset -c 0 deno run -A bench/compress_levels.ts [--n=400]
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { parleyEnv } from "./lib/servers.ts";

const opt = (k: string) => Deno.args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const url = Deno.env.get("DATABASE_URL");
if (!url) throw new Error("DATABASE_URL (the cluster of bench/history_tail.ts --reuse) is required");
const fixture = JSON.parse(await Deno.readTextFile(`/tmp/history-tail-${new URL(url).port}-1000.json`)) as {
  dbUrl: string;
  token: string;
  targets: [number, number][];
};
const n = Number(opt("n") ?? 400);

for (const [k, v] of Object.entries(parleyEnv(fixture.dbUrl))) Deno.env.set(k, v);
Deno.env.set("NOTIFY_WORKER", "0");
const { loadConfig } = await import("../config.ts");
const { startServer } = await import("../main.ts");
const server = await startServer(loadConfig(Deno.env.toObject(), []), () => {});
const [ch, before] = fixture.targets[0];
const get = async (path: string, auth = true) => {
  const headers: Record<string, string> = { "accept-encoding": "identity", accept: "text/html,*/*" };
  if (auth) headers.authorization = `Bearer ${fixture.token}`;
  const res = await fetch(`${server.url}${path}`, { headers });
  const body = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return body;
};
const cookie = `parley_session=${fixture.token}`;
const page = async (path: string) => {
  const res = await fetch(`${server.url}${path}`, { headers: { "accept-encoding": "identity", cookie } });
  const body = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return body;
};
const bodies: [string, Uint8Array][] = [
  ["latest page", await get(`/api/chat/channels/${ch}/messages?limit=50`)],
  ["deep page", await get(`/api/chat/channels/${ch}/messages?before=${before}&limit=50`)],
  ["channel list", await get(`/api/chat/channels`)],
  ["openapi.json", await get(`/api/openapi.json`, false)],
  ["login HTML", await get(`/login`, false)],
  ["chat HTML", await page(`/chat/${ch}`)],
];
await server.shutdown();

const settings: [string, (b: Uint8Array) => Uint8Array][] = [
  ...[1, 2, 3, 4, 5].map((q) =>
    [
      `br q${q}`,
      (b: Uint8Array) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: q } }),
    ] as [
      string,
      (b: Uint8Array) => Uint8Array,
    ]
  ),
  // The same qualities told the input's size (`BROTLI_PARAM_SIZE_HINT`), so the encoder sizes its window and
  // tables for it instead of for 4 MB; and with the window itself cut to the input (`LGWIN`, 2^10-2^22 bytes).
  ...[1, 4, 5].map((q) =>
    [`br q${q} hint`, (b: Uint8Array) =>
      brotliCompressSync(b, {
        params: { [constants.BROTLI_PARAM_QUALITY]: q, [constants.BROTLI_PARAM_SIZE_HINT]: b.byteLength },
      })] as [string, (b: Uint8Array) => Uint8Array]
  ),
  ...[4, 5].map((q) =>
    [`br q${q} hint+lgwin`, (b: Uint8Array) =>
      brotliCompressSync(b, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: q,
          [constants.BROTLI_PARAM_SIZE_HINT]: b.byteLength,
          [constants.BROTLI_PARAM_LGWIN]: Math.min(22, Math.max(10, Math.ceil(Math.log2(b.byteLength + 1)))),
        },
      })] as [string, (b: Uint8Array) => Uint8Array]
  ),
  ["gzip 1", (b) => gzipSync(b, { level: 1 })],
  ["gzip 6", (b) => gzipSync(b, { level: 6 })],
];
const load = (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
const out: Record<string, Record<string, string>> = {};
for (const [name, body] of bodies) {
  if (!body.byteLength) continue;
  const times = new Map<string, number[]>(settings.map(([s]) => [s, []]));
  const sizes = new Map<string, number>();
  for (let i = 0; i < 20; i++) for (const [, f] of settings) f(body);
  for (let i = 0; i < n; i++) {
    const order = i % 2 ? [...settings].reverse() : settings;
    for (const [s, f] of order) {
      const t0 = performance.now();
      const z = f(body);
      times.get(s)!.push(performance.now() - t0);
      sizes.set(s, z.byteLength);
    }
  }
  const row: Record<string, string> = { bytes: String(body.byteLength) };
  for (const [s] of settings) {
    const t = times.get(s)!.sort((a, b) => a - b);
    row[s] = `${Math.round(t[t.length >> 1] * 1000)} µs -> ${sizes.get(s)} B`;
  }
  out[name] = row;
}
console.log(JSON.stringify({ load, n, out }, null, 1));
Deno.exit(0);
