/**
 * Sockets for postgres.js that let a binary COPY send its data without the driver copying it.
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
 * const socket = sockets.capture(() => stream.write(header)); // net.Socket | null
 */
import net from "node:net";

/** The connection settings postgres.js passes to its `socket` option (the parts used here). */
interface SocketOptions {
  host: string[];
  port: number[];
  path?: string | false;
}

const COPY_DATA = 0x64; // 'd'

export interface CopySockets {
  /** postgres.js's `socket` option: a socket connecting to the configured host. */
  connect(options: SocketOptions): net.Socket;
  /** Runs `write` and gives the socket that sent a CopyData message during it (null: none did). */
  capture(write: () => unknown): net.Socket | null;
}

export function copySockets(): CopySockets {
  let capturing = false;
  let captured: net.Socket | null = null;
  let next = 0;
  return {
    connect(options) {
      // Several hosts: one after the other, as postgres.js does with its own sockets.
      const i = next++ % Math.max(1, options.host.length);
      const [host, port] = [options.host[i], options.port[i]];
      const socket = options.path ? net.connect(options.path) : net.connect(port, host);
      // What postgres.js sets on its own sockets: its errors and TLS's server name read them.
      Object.assign(socket, { host, port });
      const write = socket.write;
      socket.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
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
