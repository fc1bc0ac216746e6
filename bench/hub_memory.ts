/**
 * What the hub holds per idle connection, on its own: 10,000 connections (one per user, workspaces of
 * 1,000 as in the connections workload) each in 20 channels, with a sent sequence for every channel (as
 * after a hello's replay) and 10 people followed. Prints the live V8 heap per connection after a full GC.
 * No sockets and no timing: the figure does not depend on what else the machine runs.
 *
 * Usage: deno run -A --v8-flags=--expose-gc bench/hub_memory.ts [connections=10000]
 * (bench/notes/memory_per_connection.md, "Memory per idle connection (issue 16, sixth pass)").
 */
import { Connection, Hub } from "../realtime/server/hub.ts";

const N = Number(Deno.args[0] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");
const socket = { send() {}, close() {}, bufferedAmount: 0 };
const hub = new Hub({ sendBufferSoftBytes: 1 << 20, sendBufferHardBytes: 4 << 20 });
const ids = Array.from({ length: N }, () => crypto.randomUUID());
gc();
gc();
const before = Deno.memoryUsage().heapUsed;
for (let i = 0; i < N; i++) {
  const ws = Math.floor(i / 1000);
  const conn = new Connection(ids[i], i + 1, ws, null, socket);
  const channels = Array.from({ length: 20 }, (_, k) => ws * 1000 + (i + k * 37) % 1000);
  hub.add(conn, channels);
  for (const ch of channels) conn.sent.set(ch, 1000 + ch % 97);
  hub.followPresence(conn, Array.from({ length: 10 }, (_, k) => ws * 1000 + (i + k) % 1000 + 1));
}
gc();
gc();
const after = Deno.memoryUsage().heapUsed;
console.log(`${hub.conns.size} connections: ${Math.round((after - before) / N)} bytes of V8 heap each`);
