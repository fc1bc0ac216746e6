/**
 * The ceiling: a bare Deno WebSocket fan-out server with no database and no rules. It speaks the subset
 * of Parley's protocol the load generators use (ready, hello, send_message, ack, message_received) and
 * sends frames of the same shape and size, each event encoded once and the same string written to every
 * member's socket. Used only by `deno task bench`.
 *
 * Usage: deno run -A bench/servers/bare.ts  (prints {"url": "..."} once listening; PORT overrides 0)
 *
 * Membership comes from the client: hello carries `join: [channelId, …]`.
 */
import { getHeapSpaceStatistics } from "node:v8";
import { startLagSampler } from "../lib/lag.ts";
import { connectWindow } from "../lib/heap_sampler.ts";

const channels = new Map<number, Set<WebSocket>>();
const MIRROR_HELLO = Deno.env.get("BENCH_BARE_MIRROR_HELLO") === "1";
const seqs = new Map<number, number>();
let nextMessageId = 1;
let opened = 0;

function handle(ws: WebSocket, userId: number) {
  const mine: number[] = [];
  ws.onopen = () => {
    opened++;
    ws.send(JSON.stringify({ type: "ready", connectionId: crypto.randomUUID(), userId }));
  };
  ws.onmessage = (e) => {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(e.data as string);
    } catch {
      ws.send(JSON.stringify({ type: "error", id: null, error: { code: "bad_frame", message: "JSON" } }));
      return;
    }
    if (f.action === "hello") {
      for (const ch of (f.join as number[] | undefined) ?? []) {
        let set = channels.get(ch);
        if (!set) channels.set(ch, set = new Set());
        set.add(ws);
        mine.push(ch);
      }
      // BENCH_BARE_MIRROR_HELLO=1: the hello is answered with frames of the size Parley's are (the people the
      // client follows, `presenceSub`, listed as Parley lists them; the unread counts of its channels). The
      // first large frame a socket reads sets the receiving kernel's estimate of the peer's segment size
      // (`rcvmss`: 536 with bare's small frames, ~890 with Parley's), which decides whether each later
      // delivery is acknowledged inside the server's `sendto` or inside the load generator's `recvfrom` on
      // loopback (bench/notes/channels_of_1000_top_steps.md).
      const mirror = MIRROR_HELLO && Array.isArray(f.presenceSub);
      const presence = mirror
        ? (f.presenceSub as number[]).map((id) => ({
          userId: id,
          status: "online",
          statusText: "",
          awayMessage: "",
          connections: 1,
        }))
        : [];
      ws.send(JSON.stringify({ type: "ack", id: f.id, data: { replayed: 0, resync: [], presence } }));
      if (mirror) {
        const counts = mine.map((channelId) => ({ channelId, unread: 0, mentions: 0, lastReadSeq: 0 }));
        ws.send(JSON.stringify({ type: "unread_counts", counts }));
      }
      return;
    }
    if (f.action === "send_message") {
      const channelId = f.channelId as number;
      const seq = (seqs.get(channelId) ?? 0) + 1;
      seqs.set(channelId, seq);
      const message = {
        id: nextMessageId++,
        channelId,
        seq,
        senderId: userId,
        clientId: f.clientId,
        type: "text",
        body: f.body,
        replyTo: null,
        replyCount: 0,
        mentions: [],
        editedAt: null,
        deletedAt: null,
        createdAt: new Date().toISOString(),
        reactions: [],
      };
      const text = JSON.stringify({ type: "message_received", channelId, seq, message });
      for (const s of channels.get(channelId) ?? []) {
        if (s.readyState === WebSocket.OPEN) s.send(text);
      }
      ws.send(JSON.stringify({ type: "ack", id: f.id, data: { message, created: true } }));
      return;
    }
    ws.send(JSON.stringify({ type: "ack", id: f.id ?? null, data: { ok: true } }));
  };
  ws.onclose = () => {
    for (const ch of mine) channels.get(ch)?.delete(ws);
  };
}

const server = Deno.serve(
  { port: Number(Deno.env.get("PORT") ?? 0), hostname: "127.0.0.1", onListen: () => {} },
  (req) => {
    const url = new URL(req.url);
    if (url.pathname !== "/api/chat/ws") return new Response("not found", { status: 404 });
    if (req.headers.get("upgrade") !== "websocket") return new Response("upgrade required", { status: 426 });
    const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 60 });
    handle(socket, Number(url.searchParams.get("user") ?? 0));
    return response;
  },
);
// With BENCH_GC_MARK our lines start on a new line: V8's trace (C's buffered stdio) may end mid-line before them.
const nl = Deno.env.get("BENCH_GC_MARK") ? "\n" : "";
console.log(nl + JSON.stringify({ url: `http://127.0.0.1:${server.addr.port}` }));
// BENCH_GC_MARK=1 (as in servers/parley.ts): one forced GC and its wall-clock time, to place `--trace-gc-nvp`'s
// lines (BENCH_BARE_V8_FLAGS) on the clock.
if (Deno.env.get("BENCH_GC_MARK")) {
  const at = performance.timeOrigin + performance.now();
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`\ngc-mark ${at.toFixed(1)}`);
}
// BENCH_HEAP_SAMPLE_CONNECTS=DIR[,from,to[,survivors|off]]: the connect burst's allocation, as for Parley.
connectWindow("bare", () => opened);
// BENCH_LAG_FILE (set by the bench): event-loop lag samples, as for Parley (`lib/lag.ts`).
if (Deno.env.get("BENCH_LAG_FILE")) startLagSampler(Deno.env.get("BENCH_LAG_FILE")!);

// SIGTERM: exit cleanly, so that `--cpu-prof` (the bench's `--profile`) writes its profile.
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));

// SIGUSR2: collect garbage (with --expose-gc) and print memory, as the Parley wrapper does.
Deno.addSignalListener("SIGUSR2", () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = Deno.memoryUsage();
  console.log(
    nl + JSON.stringify({
      event: "stats",
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      // V8's heap per space: committed and live bytes, as the Parley wrapper reports them.
      spaces: Object.fromEntries(
        getHeapSpaceStatistics().map((s) => [s.space_name, [s.space_size, s.space_used_size]]),
      ),
    }),
  );
});
