/**
 * Parley for `bench/history_tail.ts` (a probe, not the bench's server): `startServer` of the tree at
 * `HT_ROOT` (default this one) with each request's server-side times noted. `Deno.serve`'s handler is wrapped
 * (entry, handler resolved = body built and compressed, every middleware done) and `deps.db.query` too (every
 * statement's start, end and first characters, the background jobs' as well as the requests'). Prints (on
 * stderr: stdout is V8's) `{"url"}` once listening, then `{"calib"}`: the wall-clock time just before a forced minor GC, so the
 * driver can put the `--trace-gc` lines (milliseconds since the isolate started) on the same clock. On
 * SIGUSR1 writes what it noted to `HT_OUT` as JSON and prints `{"dumped"}`. Needs `--expose-gc`.
 */
const root = Deno.env.get("HT_ROOT") ?? new URL("..", import.meta.url).pathname;
const wall = () => performance.timeOrigin + performance.now();

/** [entry, handler resolved] per request, in the order they came. */
const requests: [number, number][] = [];
/** [start, end, first 40 characters of the statement] per `db.query`. */
const queries: [number, number, string][] = [];

const serve = Deno.serve;
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (opts: Deno.ServeTcpOptions, handler: Deno.ServeHandler) =>
  serve(opts, async (req, info) => {
    const r: [number, number] = [wall(), 0];
    const res = await handler(req, info);
    r[1] = wall();
    requests.push(r);
    return res;
  });

const { loadConfig } = await import(`${root}/config.ts`);
const { startServer } = await import(`${root}/main.ts`);
const server = await startServer(loadConfig(Deno.env.toObject(), []), () => {});
const db = server.deps.db;
const query = db.query.bind(db);
db.query = async (text: string, params?: unknown[]) => {
  const t0 = wall();
  try {
    return await query(text, params);
  } finally {
    queries.push([t0, wall(), text.replace(/\s+/g, " ").slice(0, 40)]);
  }
};
console.error(JSON.stringify({ url: server.url }));
console.error(JSON.stringify({ calib: wall() }));
(globalThis as unknown as { gc: (o: unknown) => void }).gc({ type: "minor" });

Deno.addSignalListener("SIGUSR1", async () => {
  await Deno.writeTextFile(Deno.env.get("HT_OUT")!, JSON.stringify({ requests, queries }));
  console.error(JSON.stringify({ dumped: requests.length }));
});
Deno.addSignalListener("SIGTERM", async () => {
  await server.shutdown().catch(() => {});
  Deno.exit(0);
});
