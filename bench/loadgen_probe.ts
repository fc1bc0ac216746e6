/**
 * The load generator's CPU per received frame, by transport: Deno's `WebSocket` (one `MessageEvent` per
 * frame) against `bench/loadgen/raw_ws.ts` (frames split from each TCP read in JavaScript).
 *
 * `flock /tmp/bench.lock deno run -A bench/loadgen_probe.ts [sockets=1000] [msgs/s=60] [seconds=4] [rounds=2]`
 *
 * A child process (pinned to core 0 when `taskset` exists) is a bare Deno server that writes one
 * 370-byte `message_received`-shaped frame to every socket per message, at the given rate; this process
 * (core 1) opens the sockets with one transport, reads every frame as the load generator does
 * (`startsWith`, `readBody`, a clock read) and reports its own CPU µs per frame. Transports alternate.
 */
import { RawWebSocket } from "./loadgen/raw_ws.ts";
import { readBody } from "./loadgen/client.ts";
import { cpuSeconds } from "./lib/cpu.ts";

const [mode] = Deno.args;
if (mode === "server") {
  const sockets: WebSocket[] = [];
  Deno.serve({ port: 0, onListen: ({ port }) => console.log(port) }, (req) => {
    const u = new URL(req.url);
    if (u.pathname === "/go") {
      const rate = Number(u.searchParams.get("rate"));
      const seconds = Number(u.searchParams.get("seconds"));
      const pad = "the quick brown fox jumps over the lazy dog while the team ships";
      let seq = 0;
      const t0 = performance.now();
      return new Promise<Response>((done) => {
        const tick = () => {
          const el = performance.now() - t0;
          const due = Math.floor(el / 1000 * rate);
          while (seq < due) {
            seq++;
            const at = performance.timeOrigin + performance.now();
            const f = `{"type":"message_received","channelId":17,"seq":${seq},"message":{"id":${
              1000000 + seq
            },"channelId":17,"authorId":42,"clientId":"b42-${seq}-${Math.floor(at)}","body":"~${
              at.toFixed(3)
            }~1~${pad}","createdAt":"2026-12-03T01:50:00.000Z","editedAt":null,"attachments":[]}}`;
            for (const s of sockets) if (s.readyState === 1) s.send(f);
          }
          if (el < seconds * 1000) setTimeout(tick, 1);
          else done(new Response(String(seq)));
        };
        tick();
      });
    }
    if (u.pathname === "/reset") {
      for (const s of sockets.splice(0)) s.close();
      return new Response("ok");
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => sockets.push(socket);
    return response;
  });
} else {
  const n = Number(Deno.args[0] ?? 1000);
  const rate = Number(Deno.args[1] ?? 60);
  const seconds = Number(Deno.args[2] ?? 4);
  const rounds = Number(Deno.args[3] ?? 2);
  const pin = await new Deno.Command("sh", { args: ["-c", "command -v taskset"] }).output();
  const cmd = pin.success
    ? ["taskset", "-c", "0", Deno.execPath(), "run", "-A", import.meta.filename!, "server"]
    : [Deno.execPath(), "run", "-A", import.meta.filename!, "server"];
  if (pin.success) {
    await new Deno.Command("taskset", { args: ["-pc", "1", String(Deno.pid)], stdout: "null" }).output();
  }
  const child = new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "piped" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value!.trim());
  const base = `127.0.0.1:${port}`;
  let frames = 0;
  let lat = 0;
  const onText = (raw: string) => {
    if (raw.startsWith('{"type":"message_received"')) {
      const now = performance.timeOrigin + performance.now();
      const b = readBody(raw);
      if (b) {
        frames++;
        lat += now - b.sentAt;
      }
    }
  };
  const open = (kind: string) =>
    new Promise<{ close(): void }>((resolve, reject) => {
      if (kind === "web") {
        const ws = new WebSocket(`ws://${base}/ws`);
        ws.onopen = () => resolve(ws);
        ws.onerror = () => reject(new Error("open failed"));
        ws.onmessage = (e) => onText(e.data as string);
      } else {
        const ws: RawWebSocket = new RawWebSocket(`ws://${base}/ws`, {}, {
          text: onText,
          close: () => {},
        });
        const t = setInterval(() => {
          if (ws.readyState === 1) {
            clearInterval(t);
            resolve(ws);
          } else if (ws.readyState === 3) {
            clearInterval(t);
            reject(new Error("open failed"));
          }
        }, 5);
      }
    });
  console.log(`${n} sockets, ${rate} msgs/s (${n * rate} frames/s), ${seconds} s per run`);
  for (let r = 0; r < rounds; r++) {
    for (const kind of ["web", "raw"]) {
      const socks = [];
      for (let i = 0; i < n; i += 50) {
        socks.push(...await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => open(kind))));
      }
      await new Promise((r) => setTimeout(r, 500));
      frames = 0;
      lat = 0;
      const c0 = cpuSeconds("self");
      const t0 = performance.now();
      const sent = Number(await (await fetch(`http://${base}/go?rate=${rate}&seconds=${seconds}`)).text());
      await new Promise((r) => setTimeout(r, 300));
      const cpu = cpuSeconds("self") - c0;
      const secs = (performance.now() - t0) / 1000;
      const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
      console.log(
        `${kind}: ${frames}/${sent * n} frames, loadgen ${(cpu / secs).toFixed(2)} cores, ${
          (cpu * 1e6 / frames).toFixed(2)
        } µs CPU per frame, mean latency ${(lat / frames).toFixed(1)} ms, load ${load}`,
      );
      for (const s of socks) s.close();
      await fetch(`http://${base}/reset`).then((r) => r.text());
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  child.kill();
  await child.status;
}
