/**
 * A socket for postgres.js straight over `Deno.connect` (TCP or a unix socket), instead of `node:net`.
 *
 * postgres.js takes its connections' sockets from its `socket` option and uses a small part of
 * `net.Socket`: `write` (with its backpressure boolean and callback), `end`, `destroy`, `pause`/`resume`,
 * `setKeepAlive`, `readyState`, `host`/`port`, and the events 'data', 'error', 'close' and 'drain'.
 * Deno's `node:net` builds that on streams and libuv-like wrappers over Deno's own TCP; this is the same
 * part, done directly:
 *
 * - Reads: one `conn.read` loop per socket into a buffer of its own, reused. postgres.js keeps what it is
 *   given (the unread end of a message split across reads, raw rows, COPY out data), so each read is handed
 *   over as a copy of the bytes read (`Buffer.allocUnsafe`: small reads come from Node's buffer pool).
 * - Writes: what is written in one turn goes out in one `conn.write` (small chunks joined; a chunk of 4 KB or
 *   more is written as it is, so COPY data is not copied). `write` returns false once 16 KB are waiting, and
 *   'drain' follows when they are written, as `node:net` does.
 * - Events as `node:net` sends them: a failed connect is 'error' (code `ECONNREFUSED`, `ENOENT`, …) then
 *   'close' with `hadError` true (postgres.js frees the pool's slot on 'close'); the server ending the
 *   connection is 'end' then 'close' (false); a read or write failure 'error' then 'close' (true);
 *   `destroy()` 'close' (false). Events always come from a later microtask than the call that caused them.
 *
 * TLS is not done here: postgres.js upgrades a `net.Socket` with `tls.connect`, so connections with `ssl`
 * keep `node:net` (see `pg_copy_socket.ts`).
 *
 * @example
 * const socket = new PgSocket({ hostname: "127.0.0.1", port: 5432 });
 * socket.on("data", (b) => console.log(b.length));
 * socket.write(startupMessage);
 */
import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";

export type PgSocketTarget = { hostname: string; port: number } | { path: string };

/** Bytes waiting to be written at which `write` returns false (node:net's default high-water mark). */
const HIGH_WATER = 16 * 1024;
/** Chunks smaller than this are joined with their neighbours into one write; larger ones go as they are. */
const JOIN_BELOW = 4 * 1024;
const READ_SIZE = 64 * 1024;

type WriteCallback = (err?: Error | null) => void;

export class PgSocket extends EventEmitter {
  /** What postgres.js reads for its errors and TLS's server name. */
  host: string;
  port: number | undefined;
  #conn: Deno.Conn | null = null;
  #tcp: Deno.TcpConn | null = null;
  #state: "opening" | "open" | "ending" | "closed" = "opening";
  /** Chunks not yet handed to `conn.write`, and the callbacks due once they are written. */
  #queue: Uint8Array[] = [];
  #callbacks: WriteCallback[] = [];
  /** Bytes written but not yet flushed, those being written included (what `write`'s boolean compares). */
  #pending = 0;
  #flushing = false;
  #flushQueued = false;
  #needDrain = false;
  #endCallbacks: (() => void)[] = [];
  #ended = false; // end() called: no more writes; shut down the write side once flushed
  #paused = false;
  #resume: (() => void) | null = null;
  #keepAlive: boolean | null = null;
  #ref = true;
  #readDone = false; // the other side ended (EOF)
  #shut = false; // our side shut down (or about to be), 'finish' sent

  constructor(target: PgSocketTarget) {
    super();
    this.host = "path" in target ? target.path : target.hostname;
    this.port = "path" in target ? undefined : target.port;
    this.#open(target);
  }

  /** node:net's names: 'opening', 'open', 'readOnly' (after end()), 'closed'. */
  get readyState(): string {
    return this.#state === "ending" ? "readOnly" : this.#state;
  }

  get destroyed(): boolean {
    return this.#state === "closed";
  }

  async #open(target: PgSocketTarget) {
    let conn: Deno.Conn;
    try {
      conn = "path" in target
        ? await Deno.connect({ transport: "unix", path: target.path })
        : await Deno.connect({ hostname: target.hostname, port: target.port });
    } catch (err) {
      if (!this.destroyed) this.#fail(connectError(err, target));
      return;
    }
    if (this.destroyed) { // destroyed while connecting
      closeQuietly(conn);
      return;
    }
    this.#conn = conn;
    if (!("path" in target)) {
      const tcp = this.#tcp = conn as Deno.TcpConn;
      tcp.setNoDelay(true);
      if (this.#keepAlive !== null) tcp.setKeepAlive(this.#keepAlive);
    }
    if (!this.#ref) conn.unref();
    if (this.#state === "opening") this.#state = this.#ended ? "ending" : "open";
    this.emit("connect");
    this.emit("ready");
    if (this.#queue.length) this.#scheduleFlush();
    else if (this.#ended) this.#endWhenFlushed(false);
    this.#readLoop(conn);
  }

  async #readLoop(conn: Deno.Conn) {
    const buf = new Uint8Array(READ_SIZE);
    while (true) {
      if (this.#paused) await new Promise<void>((r) => this.#resume = r);
      if (this.destroyed) return;
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch (err) {
        if (!this.destroyed) this.#fail(err as Error);
        return;
      }
      if (this.destroyed) return;
      if (n === null) {
        // The other side is done: as node:net without allowHalfOpen, end our side once written, then close.
        this.emit("end");
        this.#endWhenFlushed(true);
        return;
      }
      const chunk = Buffer.allocUnsafe(n);
      chunk.set(buf.subarray(0, n));
      this.emit("data", chunk);
    }
  }

  write(chunk: Uint8Array | string, encoding?: string | WriteCallback, cb?: WriteCallback): boolean {
    if (typeof encoding === "function") [cb, encoding] = [encoding, undefined];
    if (this.#ended || this.destroyed) {
      const err = Object.assign(new Error(this.#ended ? "write after end" : "write after destroy"), {
        code: this.#ended ? "ERR_STREAM_WRITE_AFTER_END" : "ERR_STREAM_DESTROYED",
      });
      queueMicrotask(() => {
        cb?.(err);
        if (!this.destroyed) this.emit("error", err);
      });
      return false;
    }
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, (encoding ?? "utf8") as "utf8") : chunk;
    this.#queue.push(bytes);
    this.#pending += bytes.length;
    if (cb) this.#callbacks.push(cb);
    this.#scheduleFlush();
    const ok = this.#pending < HIGH_WATER;
    if (!ok) this.#needDrain = true;
    return ok;
  }

  /** Everything written in this turn goes out together: flush from a microtask, one flush at a time. */
  #scheduleFlush() {
    if (this.#flushing || this.#flushQueued || !this.#conn || !this.#queue.length) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  async #flush() {
    const conn = this.#conn;
    if (this.#flushing || !conn || this.destroyed) return;
    this.#flushing = true;
    try {
      while (this.#queue.length) {
        const chunks = this.#queue;
        const callbacks = this.#callbacks;
        this.#queue = [];
        this.#callbacks = [];
        let bytes = 0;
        for (const piece of joinSmall(chunks)) {
          for (let off = 0; off < piece.length;) off += await conn.write(piece.subarray(off));
          bytes += piece.length;
          if (this.destroyed) return;
        }
        this.#pending -= bytes;
        for (const cb of callbacks) cb(null);
      }
    } catch (err) {
      this.#flushing = false;
      if (!this.destroyed) this.#fail(err as Error);
      return;
    }
    this.#flushing = false;
    if (this.#needDrain && this.#pending === 0) {
      this.#needDrain = false;
      this.emit("drain");
    }
    if (this.#ended) this.#endWhenFlushed(false);
  }

  end(data?: Uint8Array | string | (() => void), encoding?: string | (() => void), cb?: () => void): this {
    if (typeof data === "function") [cb, data] = [data, undefined];
    if (typeof encoding === "function") [cb, encoding] = [encoding, undefined];
    if (this.destroyed) return this;
    if (data !== undefined && !this.#ended) this.write(data, encoding as string);
    if (cb) this.#endCallbacks.push(cb);
    if (!this.#ended) {
      this.#ended = true;
      if (this.#state === "open") this.#state = "ending";
      this.#endWhenFlushed(false);
    }
    return this;
  }

  /** After end() (or the other side's end): once everything is written, shut our side down. */
  #endWhenFlushed(readDone: boolean) {
    if (readDone) this.#readDone = true;
    if (this.destroyed) return;
    if (readDone && !this.#ended) {
      this.#ended = true;
      this.#state = "ending";
    }
    if (!this.#ended || this.#flushing || this.#flushQueued || this.#queue.length || !this.#conn) return;
    if (!this.#shut) {
      this.#shut = true;
      if (!this.#readDone) this.#conn.closeWrite().catch(() => {});
      const cbs = this.#endCallbacks.splice(0);
      queueMicrotask(() => {
        this.emit("finish");
        for (const cb of cbs) cb();
      });
    }
    if (this.#readDone) this.#close(null);
  }

  destroy(err?: Error): this {
    if (this.destroyed) return this;
    if (err) this.#fail(err);
    else this.#close(null);
    return this;
  }

  #fail(err: Error) {
    this.#close(err);
  }

  /** Closes the connection now; 'error' (when failed) and 'close' follow in a microtask. */
  #close(err: Error | null) {
    if (this.destroyed) return;
    this.#state = "closed";
    if (this.#conn) closeQuietly(this.#conn);
    this.#conn = this.#tcp = null;
    this.#resume?.();
    const callbacks = this.#callbacks.splice(0);
    this.#queue = [];
    this.#pending = 0;
    queueMicrotask(() => {
      const failed = err ?? Object.assign(new Error("Cannot call write after a stream was destroyed"), {
        code: "ERR_STREAM_DESTROYED",
      });
      for (const cb of callbacks) cb(failed);
      if (err) this.emit("error", err);
      this.emit("close", err !== null);
    });
  }

  pause(): this {
    this.#paused = true;
    return this;
  }

  resume(): this {
    this.#paused = false;
    const r = this.#resume;
    this.#resume = null;
    r?.();
    return this;
  }

  setKeepAlive(enable = false, _initialDelay?: number): this {
    this.#keepAlive = enable;
    this.#tcp?.setKeepAlive(enable);
    return this;
  }

  setNoDelay(noDelay = true): this {
    this.#tcp?.setNoDelay(noDelay);
    return this;
  }

  ref(): this {
    this.#ref = true;
    this.#conn?.ref();
    return this;
  }

  unref(): this {
    this.#ref = false;
    this.#conn?.unref();
    return this;
  }
}

/** Runs of small chunks joined into one buffer; chunks of JOIN_BELOW bytes or more as they are. */
function joinSmall(chunks: Uint8Array[]): Uint8Array[] {
  if (chunks.length === 1) return chunks;
  const out: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const closeRun = () => {
    if (run.length === 1) out.push(run[0]);
    else if (run.length) out.push(Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const c of chunks) {
    if (c.length >= JOIN_BELOW) {
      closeRun();
      out.push(c);
    } else {
      run.push(c);
      runBytes += c.length;
    }
  }
  closeRun();
  return out;
}

function closeQuietly(conn: Deno.Conn) {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** A connect failure as node:net reports it: `connect ECONNREFUSED 127.0.0.1:5432`, with code and address. */
function connectError(err: unknown, target: PgSocketTarget): Error {
  const code = (err as { code?: string }).code ?? "ECONNREFUSED";
  const where = "path" in target ? target.path : `${target.hostname}:${target.port}`;
  return Object.assign(new Error(`connect ${code} ${where}`, { cause: err }), {
    code,
    syscall: "connect",
    address: "path" in target ? target.path : target.hostname,
    ...("path" in target ? {} : { port: target.port }),
  });
}
