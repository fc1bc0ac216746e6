/**
 * Server CPU per WebSocket frame read, with and without Deno's `idleTimeout` (which re-arms a timer on every
 * frame read): a bare Deno server that parses each frame and does nothing else, and a client of SOCKETS
 * sockets sending one send-sized frame per socket every 20 ms. The server prints µs of process CPU per frame
 * between the first and the last frame. Fourteenth pass: bench/notes/cpu_per_message.md, "The idle timer per
 * frame, per-frame and per-delivery work". Under the bench lock:
 *
 *   taskset -c 0 deno run -A bench/ws_idle_ab.ts server IDLE_S PORT &
 *   taskset -c 1 deno run -A bench/ws_idle_ab.ts client PORT SOCKETS FRAMES_PER_SOCKET
 */
import process from "node:process";
const [role, ...rest] = Deno.args;
if (role === "server") {
  const idle = Number(rest[0]);
  const port = Number(rest[1]);
  let seen = 0, expected = Infinity, start: { user: number; system: number } | null = null, t0 = 0;
  Deno.serve({
    port,
    onListen() {
      console.log("listening");
    },
  }, (req) => {
    const { response, socket } = Deno.upgradeWebSocket(req, { idleTimeout: idle });
    socket.onmessage = (e) => {
      const d = e.data as string;
      if (d.charCodeAt(0) === 69) { // "E": the client's announcement of the total
        expected = Number(d.slice(1));
        start = process.cpuUsage();
        t0 = performance.now();
        return;
      }
      const f = JSON.parse(d);
      if (f.n === -1) return;
      if (++seen === expected) {
        const u = process.cpuUsage(start!);
        const ms = performance.now() - t0;
        console.log(
          JSON.stringify({
            idle,
            frames: seen,
            us_per_frame: +((u.user + u.system) / seen).toFixed(3),
            user_us: +(u.user / seen).toFixed(3),
            sys_us: +(u.system / seen).toFixed(3),
            wall_ms: Math.round(ms),
          }),
        );
        Deno.exit(0);
      }
    };
    return response;
  });
} else {
  const port = Number(rest[0]), n = Number(rest[1]), per = Number(rest[2]);
  const socks: WebSocket[] = [];
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((r, j) => {
      ws.onopen = r;
      ws.onerror = j;
    });
    socks.push(ws);
  }
  await new Promise((r) => setTimeout(r, 1000));
  socks[0].send(`E${n * per}`);
  await new Promise((r) => setTimeout(r, 50));
  const body = "x".repeat(150);
  for (let k = 0; k < per; k++) {
    for (let i = 0; i < n; i++) {
      socks[i].send(
        `{"id":"c${k}-${i}","action":"send_message","channelId":${
          i % 100
        },"clientId":"01HZX${k}${i}","body":"${body}","n":${k}}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20)); // ~n frames per 20 ms
  }
  await new Promise((r) => setTimeout(r, 3000));
  Deno.exit(0);
}
