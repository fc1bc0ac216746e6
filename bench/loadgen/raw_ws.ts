/**
 * A minimal WebSocket client (RFC 6455) over a plain TCP connection, for the load generator only.
 *
 * Deno's `WebSocket` costs its receiver a runtime op, a `MessageEvent` and an event dispatch for every
 * frame. Here one `read` of the connection is split into its frames in JavaScript and each text frame's
 * payload is handed, decoded, to `text`: the same string the `WebSocket`'s `event.data` would be, at the
 * moment its bytes were read. Only what the benchmark servers send is handled: unmasked frames, text,
 * close, ping (answered with a pong), fragments (joined). No extensions are offered, so no compression.
 * Every server kind (Parley, bare, Socket.io) is read through it the same way.
 */

export interface RawHandlers {
  /** One complete text message. */
  text(data: string): void;
  /** The connection ended (after the server's close frame, an error, or `close()`). Called once. */
  close(code: number, reason: string): void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const CLOSE_WAIT_MS = 3000;

async function writeAll(conn: Deno.Conn, b: Uint8Array) {
  let off = 0;
  while (off < b.length) off += await conn.write(b.subarray(off));
}

/** One client frame: FIN, `op`, masked with a random key as a client must. */
function clientFrame(op: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const f = new Uint8Array(head + 4 + n);
  f[0] = 0x80 | op;
  if (n < 126) f[1] = 0x80 | n;
  else if (n < 65536) {
    f[1] = 0x80 | 126;
    f[2] = n >>> 8;
    f[3] = n & 0xff;
  } else {
    f[1] = 0x80 | 127;
    new DataView(f.buffer).setUint32(6, n);
  }
  const key = f.subarray(head, head + 4);
  crypto.getRandomValues(key);
  for (let i = 0; i < n; i++) f[head + 4 + i] = payload[i] ^ key[i & 3];
  return f;
}

export class RawWebSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed: as `WebSocket.readyState`. */
  readyState = 0;
  #conn: Deno.TcpConn | null = null;
  #out: Uint8Array[] = [];
  #writing = false;
  #done = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string, headers: Record<string, string>, readonly h: RawHandlers) {
    this.#run(new URL(url), headers).catch((e) => this.#finish(1006, String(e?.message ?? e)));
  }

  /** Sends one text message (dropped unless open, as a closing `WebSocket` drops it). */
  send(data: string) {
    if (this.readyState !== 1) return;
    this.#queue(clientFrame(1, enc.encode(data)));
  }

  /** Starts the closing handshake (code 1000); the connection ends when the server answers or in 3 s. */
  close() {
    if (this.readyState >= 2) return;
    if (this.readyState === 0) {
      this.readyState = 2;
      return; // #run sees it once connected
    }
    this.readyState = 2;
    this.#queue(clientFrame(8, new Uint8Array([0x03, 0xe8])));
    const id = setTimeout(() => this.#finish(1006, "close timed out"), CLOSE_WAIT_MS);
    Deno.unrefTimer(id);
    this.#closeTimer = id;
  }

  #queue(b: Uint8Array) {
    this.#out.push(b);
    if (!this.#writing) this.#flush();
  }

  async #flush() {
    const conn = this.#conn;
    if (!conn) return;
    this.#writing = true;
    try {
      while (this.#out.length) {
        const parts = this.#out;
        this.#out = [];
        let b = parts[0];
        if (parts.length > 1) {
          b = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let o = 0;
          for (const p of parts) b.set(p, (o += p.length) - p.length);
        }
        await writeAll(conn, b);
      }
    } catch (e) {
      this.#finish(1006, String((e as Error).message));
    } finally {
      this.#writing = false;
    }
  }

  #finish(code: number, reason: string) {
    if (this.#done) return;
    this.#done = true;
    this.readyState = 3;
    clearTimeout(this.#closeTimer);
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    this.h.close(code, reason);
  }

  async #run(u: URL, headers: Record<string, string>) {
    const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port || 80) });
    this.#conn = conn;
    if (this.readyState === 2) return this.#finish(1006, "closed while connecting");
    conn.setNoDelay(true);
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    let req = `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
    for (const [k, v] of Object.entries(headers)) req += `${k}: ${v}\r\n`;
    await writeAll(conn, enc.encode(req + "\r\n"));

    let buf = new Uint8Array(16384);
    let len = 0;
    const fill = async () => {
      if (len === buf.length) {
        const b = new Uint8Array(buf.length * 2);
        b.set(buf);
        buf = b;
      }
      const n = await conn.read(buf.subarray(len));
      if (n === null) return false;
      len += n;
      return true;
    };
    // The response head.
    let start = -1;
    while (start < 0) {
      if (!(await fill())) return this.#finish(1006, "closed during the handshake");
      for (let i = 3; i < len; i++) {
        if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) {
          start = i + 1;
          break;
        }
      }
    }
    const status = dec.decode(buf.subarray(0, start)).split("\r\n", 1)[0];
    if (!/^HTTP\/1\.1 101/.test(status)) return this.#finish(1006, status);
    if (this.readyState === 2) return this.#finish(1000, "closed while connecting");
    this.readyState = 1;
    if (this.#out.length) this.#flush();

    let frag: Uint8Array[] | null = null;
    while (!this.#done) {
      // Every complete frame in buf[start, len).
      while (len - start >= 2) {
        const b0 = buf[start];
        const b1 = buf[start + 1];
        let n = b1 & 0x7f;
        let p = start + 2;
        if (n === 126) {
          if (len - start < 4) break;
          n = (buf[p] << 8) | buf[p + 1];
          p += 2;
        } else if (n === 127) {
          if (len - start < 10) break;
          n = buf[p + 4] * 0x1000000 + ((buf[p + 5] << 16) | (buf[p + 6] << 8) | buf[p + 7]);
          p += 8;
        }
        if (b1 & 0x80) return this.#finish(1002, "masked frame from the server");
        if (len - p < n) {
          // Incomplete: make room for the whole frame.
          if (p + n - start > buf.length) {
            const b = new Uint8Array(Math.max(buf.length * 2, p + n - start));
            b.set(buf.subarray(start, len));
            buf = b;
            len -= start;
            start = 0;
          }
          break;
        }
        const payload = buf.subarray(p, p + n);
        start = p + n;
        const op = b0 & 0x0f;
        const fin = (b0 & 0x80) !== 0;
        if (op === 1 || op === 0) {
          if (op === 1 && fin) this.h.text(dec.decode(payload));
          else {
            (frag ??= []).push(payload.slice());
            if (fin) {
              const all = new Uint8Array(frag.reduce((m, x) => m + x.length, 0));
              let o = 0;
              for (const x of frag) all.set(x, (o += x.length) - x.length);
              frag = null;
              this.h.text(dec.decode(all));
            }
          }
          if (this.#done) return;
        } else if (op === 8) {
          const code = n >= 2 ? (payload[0] << 8) | payload[1] : 1005;
          const reason = n > 2 ? dec.decode(payload.subarray(2)) : "";
          if (this.readyState === 1) {
            this.readyState = 2;
            this.#queue(clientFrame(8, payload.slice(0, Math.min(n, 2))));
            // Let the answer go out before the connection ends.
            while (this.#writing) await new Promise((r) => setTimeout(r, 1));
          }
          return this.#finish(code, reason);
        } else if (op === 9) {
          if (this.readyState === 1) this.#queue(clientFrame(10, payload.slice()));
        }
        // 2 (binary) and 10 (pong): not used by the benchmark servers; skipped.
      }
      if (start === len) start = len = 0;
      else if (start > 0 && len === buf.length) {
        buf.copyWithin(0, start, len);
        len -= start;
        start = 0;
      }
      if (!(await fill())) return this.#finish(1006, "connection ended");
    }
  }
}
