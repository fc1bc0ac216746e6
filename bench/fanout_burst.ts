/**
 * A burst of K messages to a channel of N real WebSockets through Parley's hub, fanned out back to back
 * (`sync`: what a committed batch of K does now) or one message per macrotask (`yield`: a turn of the event
 * loop between messages, `setImmediate`, as `domain/send_batch.ts` does, so the runtime writes one message's frames and reads what came in before the next), alternating
 * in rounds on the same sockets. The other ends are in a child process pinned to the other core; it stamps
 * each frame's arrival, and it pings the server on a socket of its own every 2 ms (the server echoes at once),
 * which stands for everything else the server must answer meanwhile (acks, Postgres' answers, other channels).
 *
 * Prints per mode: the frames' delay from the burst's start to their arrival (p50/p99/max, the burst's first
 * message apart from the others), and the ping's round trip while bursts run.
 *
 * Usage: taskset -c 0 deno run -A bench/fanout_burst.ts [sockets=1000] [burst=5] [rounds=20]
 * (bench/notes/fan_out.md, "Fan-out tail and the load generator (issue 16, sixth pass)").
 */
import { setImmediate } from "node:timers";
import { Connection, Hub } from "../realtime/server/hub.ts";
import type { Envelope } from "../realtime/protocol.ts";
import { hubMessage } from "./lib/hub_message.ts";

const N = Number(Deno.args[0] ?? 1000);
const K = Number(Deno.args[1] ?? 5);
const ROUNDS = Number(Deno.args[2] ?? 20);
const now = () => performance.timeOrigin + performance.now();
const q = (v: number[], p: number) => {
  const s = Float64Array.from(v).sort();
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};

if (Deno.args[0] === "--clients") {
  // The child: N sockets that stamp arrivals, one more that pings.
  const [, url, n] = Deno.args;
  let open = 0;
  /** Delays of the burst's first message's frames, and of its last one's. */
  let delays: number[] = [];
  let firsts: number[] = [];
  let rtts: number[] = [];
  const ping = new WebSocket(url + "?ping");
  ping.onmessage = (e) => rtts.push(now() - Number(e.data));
  for (let i = 0; i < Number(n); i++) {
    const ws = new WebSocket(url);
    ws.onopen = () => ++open === Number(n) && console.log(JSON.stringify({ open: true }));
    ws.onmessage = (e) => {
      const s = e.data as string;
      if (s.startsWith("report")) {
        console.log(JSON.stringify({ delays, firsts, rtts }));
        delays = [];
        firsts = [];
        rtts = [];
        return;
      }
      const i = s.indexOf('"~');
      const a = s.indexOf("~", i + 2);
      const d = now() - Number(s.slice(i + 2, a));
      (s.startsWith("0", a + 1) ? firsts : delays).push(d);
    };
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
  }
  setInterval(() => ping.readyState === WebSocket.OPEN && ping.send(String(now())), 2);
} else {
  const sockets: WebSocket[] = [];
  const ready = Promise.withResolvers<void>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
    if (new URL(req.url).search === "?ping") {
      socket.onmessage = (e) => socket.send(e.data);
      return response;
    }
    socket.onopen = () => {
      sockets.push(socket);
      if (sockets.length === N) ready.resolve();
    };
    return response;
  });
  const child = new Deno.Command("taskset", {
    args: ["-c", "1", Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname, "--clients"]
      .concat([`ws://127.0.0.1:${server.addr.port}/`, String(N)]),
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const nextLine = async () => {
    while (!buf.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("child ended");
      buf += value;
    }
    const i = buf.indexOf("\n");
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    return JSON.parse(line);
  };
  await ready.promise;
  await nextLine();

  const hub = new Hub({ sendBufferSoftBytes: 256 * 1024, sendBufferHardBytes: 4 * 1024 * 1024 });
  sockets.forEach((s, i) => hub.add(new Connection(`c${i}`, i + 1, 1, null, s), [1]));
  let seq = 0;
  const env = (sentAt: number, k: number): Envelope => {
    const s = ++seq;
    const message = hubMessage(
      1,
      s,
      `~${sentAt.toFixed(3)}~${k}~the quick brown fox jumps over the lazy dog while the team ships`,
    );
    return {
      event: { type: "message_received", channelId: 1, seq: s, message },
      audience: { kind: "channel", channelId: 1 },
      workspaceId: 1,
    };
  };
  const tick = () => new Promise((r) => setImmediate(r));
  const modes: Record<string, () => Promise<void>> = {
    sync: () => {
      const t = now();
      for (let k = 0; k < K; k++) hub.deliver(env(t, k));
      return Promise.resolve();
    },
    yield: async () => {
      const t = now();
      for (let k = 0; k < K; k++) {
        if (k) await tick();
        hub.deliver(env(t, k));
      }
    },
  };
  const out: Record<string, { delays: number[]; firsts: number[]; rtts: number[] }> = {
    sync: { delays: [], firsts: [], rtts: [] },
    yield: { delays: [], firsts: [], rtts: [] },
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? ["yield", "sync"] : ["sync", "yield"]) {
      for (let b = 0; b < 4; b++) {
        await modes[mode]();
        // Long enough for every frame to arrive before the next burst.
        await new Promise((r) => setTimeout(r, 20 * K));
      }
      sockets[0].send("report");
      const r = await nextLine();
      out[mode].delays.push(...r.delays);
      out[mode].firsts.push(...r.firsts);
      out[mode].rtts.push(...r.rtts);
    }
  }
  const f = (v: number[]) =>
    `p50 ${q(v, 0.5).toFixed(1)} p99 ${q(v, 0.99).toFixed(1)} max ${q(v, 1).toFixed(1)} ms`;
  for (const mode of ["sync", "yield"]) {
    console.log(
      `${mode.padEnd(5)} ${K} messages x ${N} sockets: first message's frames ${f(out[mode].firsts)} | ` +
        `the others' ${f(out[mode].delays)} | ping round trip ${f(out[mode].rtts)}`,
    );
  }
  child.kill();
  await server.shutdown().catch(() => {});
  Deno.exit(0);
}
