/**
 * Does a Deno server end the TCP connection of a peer that went silent (it completes the upgrade, then never
 * writes: no frame, no pong, no close)? `deno run -A bench/ws_halfopen_probe.ts MODE IDLE_S` with `WAIT=ms`:
 * MODE `idle` leaves it to `idleTimeout: IDLE_S`; `appclose` also calls the socket's `close(4000)` after 1 s,
 * as the gateway's heartbeat check, the hub's "too slow" and a revoked session do. Prints when the client
 * saw the connection end, or that it did not within WAIT. Fourteenth pass: bench/notes/cpu_per_message.md,
 * "The idle timer per frame, per-frame and per-delivery work".
 */
const [mode, idleArg] = Deno.args;
const idle = Number(idleArg ?? 0);
let closedAt = 0;
const t0 = performance.now();
const server = Deno.serve({ port: 0, onListen() {} }, (req) => {
  const { response, socket } = Deno.upgradeWebSocket(req, { idleTimeout: idle });
  socket.onopen = () => {
    if (mode === "appclose") setTimeout(() => socket.close(4000, "heartbeat timeout"), 1000);
  };
  socket.onclose = (e) => {
    closedAt = performance.now() - t0;
    console.log("server close event", e.code, closedAt.toFixed(0));
  };
  return response;
});
const conn = await Deno.connect({ port: server.addr.port });
const key = btoa("0123456789abcdef");
await conn.write(
  new TextEncoder().encode(
    `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ),
);
const buf = new Uint8Array(4096);
const n = await conn.read(buf);
console.log("handshake:", new TextDecoder().decode(buf.subarray(0, n!)).split("\r\n")[0]);
// silent; then read until EOF with a deadline
const deadline = Number(Deno.env.get("WAIT") ?? 8000);
const got = await Promise.race([
  (async () => {
    let total = 0;
    while (true) {
      const m = await conn.read(buf);
      if (m === null) return `EOF after ${total} bytes at ${(performance.now() - t0).toFixed(0)} ms`;
      total += m;
    }
  })().catch((e) => `error ${e.name} at ${(performance.now() - t0).toFixed(0)}`),
  new Promise((r) => setTimeout(() => r(`no EOF by ${deadline} ms`), deadline)),
]);
console.log(mode, idle, "->", got);
Deno.exit(0);
