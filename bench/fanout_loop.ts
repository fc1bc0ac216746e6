/**
 * The fan-out loop alone: one message to a channel of N real WebSockets, written by Parley's hub
 * (`Hub.deliver`) and by the bare server's loop (`readyState` check and `send`), alternating in blocks on
 * the same sockets. The sockets' other ends are in a child process pinned to the other core that only
 * counts frames. Prints, per mode, the synchronous loop's time per delivery (p10/p25/p50 over messages:
 * p10 is the least disturbed on a shared machine) and the process CPU per delivery (the loop plus the
 * runtime's socket writes, which run after it). A third mode, `binary`, is bare's loop with the event encoded
 * to UTF-8 once and the same bytes sent to every socket (a binary frame, which Parley's clients do not read):
 * what a shared `Uint8Array` would save over a string. The main thread's run time (`/proc/thread-self/
 * schedstat`, in ns) and the kernel's share of the process CPU are printed too.
 *
 * Usage: taskset -c 0 deno run -A bench/fanout_loop.ts [sockets=1000] [rounds=16]
 * (bench/notes/fan_out.md, "Fan-out per delivery (issue 16, fifth pass)").
 */
import { Connection, Hub } from "../realtime/server/hub.ts";
import type { Envelope } from "../realtime/protocol.ts";
import { hubMessage } from "./lib/hub_message.ts";

const N = Number(Deno.args[0] ?? 1000);
const ROUNDS = Number(Deno.args[1] ?? 16);
const PER_BLOCK = 40;

if (Deno.args[0] === "--clients") {
  // The child: opens N sockets to the URL and reads what comes.
  const [, url, n] = Deno.args;
  let open = 0;
  for (let i = 0; i < Number(n); i++) {
    const ws = new WebSocket(url);
    ws.onopen = () => ++open === Number(n) && console.log("open");
    ws.onmessage = () => {};
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
  }
} else {
  const sockets: WebSocket[] = [];
  const ready = Promise.withResolvers<void>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
    socket.onopen = () => {
      sockets.push(socket);
      if (sockets.length === N) ready.resolve();
    };
    return response;
  });
  const child = new Deno.Command("taskset", {
    args: [
      "-c",
      "1",
      Deno.execPath(),
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--clients",
      `ws://127.0.0.1:${server.addr.port}/`,
      String(N),
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await ready.promise;

  const hub = new Hub({ sendBufferSoftBytes: 256 * 1024, sendBufferHardBytes: 4 * 1024 * 1024 });
  sockets.forEach((s, i) => hub.add(new Connection(`c${i}`, i + 1, 1, null, s), [1]));
  const bare = new Set(sockets);
  const message = (channelId: number, seq: number) =>
    hubMessage(channelId, seq, "~123.456~1~the quick brown fox jumps over the lazy dog while the team ships");
  const seqs = { hub: 0, bare: 0, binary: 0 };
  const utf8 = new TextEncoder();
  const modes = {
    hub: (seq: number) => {
      const env: Envelope = {
        event: { type: "message_received", channelId: 1, seq, message: message(1, seq) },
        audience: { kind: "channel", channelId: 1 },
        workspaceId: 1,
      };
      hub.deliver(env);
    },
    bare: (seq: number) => {
      const text = JSON.stringify({ type: "message_received", channelId: 2, seq, message: message(2, seq) });
      for (const s of bare) if (s.readyState === WebSocket.OPEN) s.send(text);
    },
    // Bare's loop with the event encoded to UTF-8 once and the same bytes given to every socket: a BINARY
    // frame (opcode 2), which Parley's clients do not read; measured to see what the per-socket string
    // conversion costs (bench/notes/fan_out.md, "Fan-out per delivery: Parley's server against bare's (issue
    // 16, twelfth pass)").
    binary: (seq: number) => {
      const bytes = utf8.encode(
        JSON.stringify({ type: "message_received", channelId: 3, seq, message: message(3, seq) }),
      );
      for (const s of bare) if (s.readyState === WebSocket.OPEN) s.send(bytes);
    },
  };
  // The main thread's own run time in ns (/proc/thread-self/schedstat): the JavaScript and the runtime's
  // socket writes both run on it, and it is read in ns, not in the 10 ms ticks of /proc/self/stat.
  const threadNs = () => Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]);
  const cpuMs = () => {
    const f = Deno.readTextFileSync("/proc/self/stat");
    const p = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(p[11]) + Number(p[12])) * 10;
  };
  /** The process's system (kernel) time in ms: the socket writes' share of its CPU. */
  const sysMs = () => {
    const f = Deno.readTextFileSync("/proc/self/stat");
    return Number(f.slice(f.lastIndexOf(")") + 2).split(" ")[12]) * 10;
  };
  const loops: Record<string, number[]> = { hub: [], bare: [], binary: [] };
  const cpu: Record<string, number[]> = { hub: [], bare: [], binary: [] };
  const thread: Record<string, number[]> = { hub: [], bare: [], binary: [] };
  const sys: Record<string, number> = { hub: 0, bare: 0, binary: 0 };
  const all: Record<string, number> = { hub: 0, bare: 0, binary: 0 };
  const rotations = [["hub", "bare", "binary"], ["bare", "binary", "hub"], ["binary", "hub", "bare"]];
  for (let round = 0; round < ROUNDS; round++) {
    const order = rotations[round % 3] as (keyof typeof modes)[];
    for (const mode of order) {
      const c0 = cpuMs();
      const n0 = threadNs();
      const s0 = sysMs();
      for (let k = 0; k < PER_BLOCK; k++) {
        const t = performance.now();
        modes[mode](++seqs[mode]);
        loops[mode].push((performance.now() - t) * 1000 / N);
        // Long enough for the writes to go out before the next message.
        await new Promise((r) => setTimeout(r, 25));
      }
      // The block's last writes are done: each message waited 25 ms, far longer than its 1,000 writes.
      cpu[mode].push((cpuMs() - c0) * 1000 / (PER_BLOCK * N));
      sys[mode] += sysMs() - s0;
      all[mode] += cpuMs() - c0;
      thread[mode].push((threadNs() - n0) / 1000 / (PER_BLOCK * N));
    }
  }
  const q = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.floor(v.length * p)].toFixed(2);
  for (const mode of ["hub", "bare", "binary"]) {
    console.log(
      `${mode.padEnd(6)} µs per delivery: loop p10 ${q(loops[mode], 0.1)} p25 ${q(loops[mode], 0.25)} p50 ${
        q(loops[mode], 0.5)
      } | process CPU (blocks' median) ${q(cpu[mode], 0.5)} | main thread (blocks' p25 / median) ${
        q(thread[mode], 0.25)
      } / ${q(thread[mode], 0.5)} | kernel share ${Math.round(100 * sys[mode] / all[mode])} %`,
    );
  }
  child.kill();
  await server.shutdown().catch(() => {});
  Deno.exit(0);
}
