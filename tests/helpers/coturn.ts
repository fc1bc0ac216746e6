/**
 * Debian's coturn (`/usr/bin/turnserver`), started and stopped by a test on loopback with the REST API
 * shared secret (`use-auth-secret`), as docs/calls.md tells administrators to run it. Ready once it
 * answers a STUN binding request.
 */
import dgram from "node:dgram";
export const TURNSERVER = Deno.env.get("TURNSERVER_PATH") ?? "/usr/bin/turnserver";

export interface Coturn {
  port: number;
  secret: string;
  stunUrl: string;
  turnUrl: string;
  /** Everything coturn printed (allocations show up here). */
  log(): string;
  stop(): Promise<void>;
}

/** A UDP port nobody listens on right now (the kernel picks it). */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Sends a STUN Binding request (RFC 8489) and resolves true when a Binding success response comes back. */
export async function stunBinding(port: number, timeoutMs = 500): Promise<boolean> {
  const sock = dgram.createSocket("udp4");
  const req = new Uint8Array(20);
  const v = new DataView(req.buffer);
  v.setUint16(0, 0x0001);
  v.setUint16(2, 0);
  v.setUint32(4, 0x2112a442);
  crypto.getRandomValues(req.subarray(8, 20));
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      sock.on("message", (data: Uint8Array) => {
        clearTimeout(timer);
        resolve(
          data.length >= 20 && new DataView(data.buffer, data.byteOffset).getUint16(0) === 0x0101 &&
            data.subarray(8, 20).every((b, i) => b === req[8 + i]),
        );
      });
      sock.on("error", () => resolve(false));
      sock.send(req, port, "127.0.0.1");
    });
  } finally {
    sock.close();
  }
}

/** A port free right now for UDP and for TCP (coturn listens on both). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await freeUdpPort();
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch { /* taken over TCP: pick another */ }
  }
}

/**
 * Starts coturn on a free port. Another process may take the port between the pick and coturn's bind (tests
 * run in parallel): then it starts again on another port, up to `attempts` times.
 */
export async function startCoturn(attempts = 3): Promise<Coturn> {
  for (let i = 1;; i++) {
    try {
      return await startCoturnOnce();
    } catch (err) {
      if (i >= attempts || !(err instanceof PortTaken)) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startCoturnOnce(): Promise<Coturn> {
  const port = await freePort();
  const secret = crypto.randomUUID();
  const minPort = 40000 + Math.floor(Math.random() * 20000);
  const child = new Deno.Command(TURNSERVER, {
    args: [
      "-n",
      "--listening-ip=127.0.0.1",
      "--relay-ip=127.0.0.1",
      `--listening-port=${port}`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + 200}`,
      "--use-auth-secret",
      `--static-auth-secret=${secret}`,
      "--realm=parley.test",
      "--fingerprint",
      "--no-tls",
      "--no-dtls",
      "--no-cli",
      "--allow-loopback-peers",
      "--log-file=stdout",
      "--simple-log",
      "--pidfile=/dev/null",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const drain = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of s) out += dec.decode(chunk, { stream: true });
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]).catch(() => {});
  const deadline = Date.now() + 10_000;
  while (!(await stunBinding(port))) {
    const taken = out.includes("Address already in use");
    if (taken || Date.now() > deadline) {
      child.kill("SIGKILL");
      await child.status;
      const E = taken ? PortTaken : Error;
      throw new E(`coturn did not answer STUN on ${port}:\n${out.slice(-2000)}`);
    }
  }
  return {
    port,
    secret,
    stunUrl: `stun:127.0.0.1:${port}`,
    turnUrl: `turn:127.0.0.1:${port}?transport=udp`,
    log: () => out,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
      await drained;
    },
  };
}
