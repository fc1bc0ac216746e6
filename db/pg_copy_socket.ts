/**
 * Sockets for postgres.js (its `socket` option), and a way for a binary COPY to send its data without the
 * driver copying it.
 *
 * The sockets are `PgSocket`s (`pg_socket.ts`: straight over `Deno.connect`, cheaper per round trip than
 * Deno's `node:net`), or `node:net` sockets when the connection uses TLS (postgres.js upgrades a
 * `net.Socket` with `tls.connect`) or when asked for (`copySockets({ nodeNet: true })`: benches' A/B).
 *
 * postgres.js frames each chunk written to a COPY stream into a new CopyData message
 * (`Buffer.concat` of its header and the chunk), so every byte of an upload passed through fresh memory
 * once more, and at upload rates that garbage is collected late (the peak RSS is what it costs). Here
 * the driver's connections are plain `node:net` sockets made by us (postgres.js's `socket` option), so
 * the COPY can find the socket that carries it and write each chunk after a 5-byte CopyData header of
 * its own: the chunk goes to the socket as it is.
 *
 * Which socket carries a COPY: the first chunk (the COPY file header) is written through the driver's
 * stream, which frames it and writes it to the connection's socket at once (synchronously); `capture`
 * notes the socket that wrote a CopyData message meanwhile. If none did (TLS, where the driver writes
 * to a TLS socket on top of ours, or a driver that buffers), `capture` gives null and the caller keeps
 * writing through the driver's stream.
 *
 * @example
 * const sockets = copySockets();
 * const sql = postgres(url, { socket: sockets.connect });
 * const socket = sockets.capture(() => stream.write(header)); // CopySocket | null
 */
import net from "node:net";
import { PgSocket } from "./pg_socket.ts";

/** The connection settings postgres.js passes to its `socket` option (the parts used here). */
interface SocketOptions {
  host: string[];
  port: number[];
  path?: string | false;
  ssl?: unknown;
}

/** What the COPY path uses of a connection's socket (a `PgSocket` or a `net.Socket`). */
export type CopySocket = PgSocket | net.Socket;

const COPY_DATA = 0x64; // 'd'

export interface CopySockets {
  /** postgres.js's `socket` option: a socket connecting to the configured host. */
  connect(options: SocketOptions): CopySocket;
  /** Runs `write` and gives the socket that sent a CopyData message during it (null: none did). */
  capture(write: () => unknown): CopySocket | null;
}

export interface CopySocketsOptions {
  /** Always `node:net` sockets, as before `PgSocket` (benches compare the two). */
  nodeNet?: boolean;
}

export function copySockets(opts: CopySocketsOptions = {}): CopySockets {
  let capturing = false;
  let captured: CopySocket | null = null;
  let next = 0;
  return {
    connect(options) {
      // Several hosts: one after the other, as postgres.js does with its own sockets.
      const i = next++ % Math.max(1, options.host.length);
      const [host, port] = [options.host[i], options.port[i]];
      let socket: CopySocket;
      if (options.ssl || opts.nodeNet) {
        socket = options.path ? net.connect(options.path) : net.connect(port, host);
        // What postgres.js sets on its own sockets: its errors and TLS's server name read them.
        Object.assign(socket, { host, port });
      } else {
        socket = new PgSocket(options.path ? { path: options.path } : { hostname: host, port });
      }
      const write = socket.write;
      socket.write = function (this: CopySocket, chunk: unknown, ...rest: unknown[]) {
        if (capturing && isCopyData(chunk)) captured = this;
        // deno-lint-ignore no-explicit-any
        return (write as any).call(this, chunk, ...rest);
      } as typeof socket.write;
      // Still connecting: writes wait for the connection, and a failure comes as the socket's 'error' and
      // 'close', which postgres.js handles as for its own sockets (it frees the pool's slot on 'close';
      // a rejected promise here would leave the slot taken for good), its connect timeout included.
      return socket;
    },
    capture(write) {
      capturing = true;
      captured = null;
      try {
        write();
        return captured;
      } finally {
        capturing = false;
        captured = null;
      }
    },
  };
}

/** A whole CopyData message (type 'd' and a length that matches: never the start of a TLS record). */
function isCopyData(chunk: unknown): boolean {
  if (!(chunk instanceof Uint8Array) || chunk.length < 5 || chunk[0] !== COPY_DATA) return false;
  return new DataView(chunk.buffer, chunk.byteOffset, 5).getInt32(1) === chunk.length - 1;
}

/** The 5-byte header of a CopyData message carrying `length` bytes. */
export function copyDataHeader(length: number): Uint8Array {
  const h = new Uint8Array(5);
  h[0] = COPY_DATA;
  new DataView(h.buffer).setInt32(1, length + 4);
  return h;
}
