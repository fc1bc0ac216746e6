/**
 * The two WebSockets of the visitors workload, without a client library: a staff socket (bearer token,
 * `ready`, `hello`, `send_message`, `visitor_send`) and a visitor socket (`ready`, `auth` with the visitor's token, `send`).
 * Both ping every 10 s, as the pages do, so the server's heartbeat keeps them.
 */
const OPEN_TIMEOUT_MS = 60_000;

abstract class BenchSocket {
  ws: WebSocket | null = null;
  #ping: ReturnType<typeof setInterval> | undefined = undefined;
  #req = 0;
  constructor(readonly onFrame: (raw: string) => void) {}

  protected connect(url: string, headers: Record<string, string>, first: () => unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`open timed out: ${url}`)), OPEN_TIMEOUT_MS);
      const ws = new WebSocket(url, { headers } as unknown as string[]);
      this.ws = ws;
      ws.onerror = () => {};
      ws.onclose = (e) => {
        clearTimeout(timer);
        clearInterval(this.#ping);
        reject(new Error(`closed during open (${e.code} ${e.reason})`));
      };
      ws.onmessage = (e) => {
        const raw = e.data as string;
        if (raw.startsWith('{"type":"ready"')) return ws.send(JSON.stringify(first()));
        if (raw.startsWith('{"type":"ack","id":"open"')) {
          clearTimeout(timer);
          this.#ping = setInterval(() => ws.send(JSON.stringify({ id: "p", action: "ping" })), 10_000);
          return resolve();
        }
        if (raw.startsWith('{"type":"error","id":"open"')) {
          clearTimeout(timer);
          return reject(new Error(`open refused: ${raw.slice(0, 200)}`));
        }
        this.onFrame(raw);
      };
    });
  }

  protected frame(x: Record<string, unknown>) {
    this.ws?.send(JSON.stringify({ id: String(++this.#req), ...x }));
  }

  close() {
    clearInterval(this.#ping);
    if (!this.ws) return;
    this.ws.onclose = null;
    try {
      this.ws.close();
    } catch { /* closing */ }
  }
}

export class StaffSocket extends BenchSocket {
  constructor(readonly base: string, readonly token: string, onFrame: (raw: string) => void) {
    super(onFrame);
  }
  open(): Promise<void> {
    return this.connect(
      `${this.base.replace(/^http/, "ws")}/api/chat/ws`,
      { authorization: `Bearer ${this.token}` },
      () => ({ id: "open", action: "hello", channels: {} }),
    );
  }
  sendMessage(channelId: number, clientId: string, body: string) {
    this.frame({ action: "send_message", channelId, clientId, body });
  }
  /** An agent's reply in a visitor conversation they hold, as /chat sends it. */
  visitorSend(conversationId: number, clientId: string, body: string) {
    this.frame({ action: "visitor_send", conversationId, clientId, body });
  }
}

export class VisitorSocket extends BenchSocket {
  #assigned = Promise.withResolvers<void>();
  /** Resolves once `assigned()` was called (the workload learns it from the agent's socket). */
  readonly whenAssigned = this.#assigned.promise;
  constructor(
    readonly base: string,
    readonly token: string,
    readonly ip: string,
    onFrame: (raw: string) => void,
  ) {
    super(onFrame);
  }
  open(): Promise<void> {
    return this.connect(
      `${this.base.replace(/^http/, "ws")}/api/visitor/ws`,
      { "x-forwarded-for": this.ip },
      () => ({ id: "open", action: "auth", token: this.token }),
    );
  }
  assigned() {
    this.#assigned.resolve();
  }
  send(clientId: string, body: string) {
    this.frame({ action: "send", clientId, body });
  }
}
