/**
 * The visitor's browser client: REST with the conversation's token in a header, a WebSocket for live events
 * (authenticated by its first frame), reconnect with back-off, and an outbox persisted with the token so
 * messages typed while offline are sent once (the server dedupes by client id).
 *
 * Where the token lives is the caller's choice (`VisitorStorage`): on /support it is Parley's own
 * localStorage; in the embedded widget it is the host page's localStorage, reached through postMessage by
 * the loader, because a third-party iframe's storage is blocked or partitioned by browsers.
 */
import { batch, effect, signal } from "@preact/signals";
import { Transport } from "../../realtime/client/transport.ts";
import { ApiError } from "../../realtime/client/rest.ts";
import {
  addVisitorMessage,
  type PublicVisitorSettings,
  type VisitorEvent,
  type VisitorMessage,
  type VisitorView,
} from "../../realtime/visitor_protocol.ts";

export interface Saved {
  token: string;
  open?: boolean;
  outbox?: { clientId: string; body: string }[];
}

export interface VisitorStorage {
  load(): Promise<Saved | null>;
  save(s: Saved | null): void;
}

export type Phase = "loading" | "offline" | "form" | "chat" | "error";

export class VisitorApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function newToken(): string {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export class VisitorClient {
  readonly phase = signal<Phase>("loading");
  readonly settings = signal<PublicVisitorSettings | null>(null);
  readonly open = signal(false);
  readonly conv = signal<VisitorView | null>(null);
  readonly messages = signal<VisitorMessage[]>([]);
  readonly pending = signal<{ clientId: string; body: string }[]>([]);
  readonly agentTyping = signal(false);
  readonly connection = signal<"connecting" | "open" | "closed">("closed");
  /** Set when a stored chat could not be resumed (the recovery window passed). */
  readonly notice = signal<string>("");
  readonly error = signal<string>("");
  #saved: Saved | null = null;
  #transport: Transport | null = null;
  #stopStatus: (() => void) | null = null;
  #stopped = false;
  #typingTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly base: string,
    readonly workspace: string,
    readonly storage: VisitorStorage,
    readonly page = "",
  ) {}

  async #api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.#saved?.token) headers["x-parley-visitor"] = this.#saved.token;
    const res = await fetch(`${this.base}/api/visitor${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new VisitorApiError(
        res.status,
        data?.error?.code ?? "error",
        data?.error?.message ?? res.statusText,
      );
    }
    return data as T;
  }

  #ws_(q = "") {
    return `${
      this.base ? this.base.replace(/^http/, "ws") : location.origin.replace(/^http/, "ws")
    }/api/visitor/ws${q}`;
  }

  async init() {
    const [cfg, saved] = await Promise.all([
      this.#api<{ settings: PublicVisitorSettings; open: boolean }>(
        "GET",
        `/config?workspace=${encodeURIComponent(this.workspace)}`,
      ),
      this.storage.load(),
    ]);
    this.settings.value = cfg.settings;
    this.#saved = saved;
    this.open.value = !!saved?.open;
    this.pending.value = saved?.outbox ?? [];
    if (saved?.token) {
      try {
        await this.refresh();
        this.phase.value = "chat";
        this.#connect();
        return;
      } catch (e) {
        if (e instanceof VisitorApiError && (e.status === 410 || e.status === 401)) {
          this.notice.value = e.status === 410 ? e.message : "";
          this.#save(null);
        } else throw e;
      }
    }
    this.phase.value = cfg.open ? "form" : "offline";
  }

  #save(s: Saved | null) {
    this.#saved = s;
    this.storage.save(s);
  }

  setOpen(open: boolean) {
    this.open.value = open;
    if (this.#saved) this.#save({ ...this.#saved, open });
  }

  async refresh() {
    const r = await this.#api<{ conversation: VisitorView }>("GET", "/conversation");
    batch(() => {
      this.conv.value = r.conversation;
      let list = this.messages.value.filter((m) => m.conversationId === r.conversation.id);
      for (const m of r.conversation.messages) list = addVisitorMessage(list, m);
      this.messages.value = list;
    });
    this.#dropSent();
  }

  async startChat(fields: Record<string, string>, formMs: number, website: string) {
    const token = newToken();
    // Stored before the request: a reload while it is on its way resumes the same conversation.
    this.#save({ token, open: true, outbox: [] });
    try {
      const r = await this.#api<{ conversation: VisitorView }>(
        "POST",
        `/start?workspace=${encodeURIComponent(this.workspace)}`,
        { token, ...fields, formMs: Math.round(formMs), website, page: this.page.slice(0, 500) },
      );
      batch(() => {
        this.conv.value = r.conversation;
        this.messages.value = r.conversation.messages;
        this.phase.value = "chat";
        this.notice.value = "";
      });
      this.#connect();
    } catch (e) {
      this.#save(null);
      if (e instanceof VisitorApiError && e.code === "offline") this.phase.value = "offline";
      throw e;
    }
  }

  /** Starts over after an ended chat. */
  newChat() {
    this.#stopSocket();
    this.#save(null);
    batch(() => {
      this.conv.value = null;
      this.messages.value = [];
      this.pending.value = [];
      this.phase.value = "form";
    });
  }

  send(body: string) {
    const item = { clientId: crypto.randomUUID(), body };
    this.pending.value = [...this.pending.value, item];
    this.#persistOutbox();
    void this.#flush();
  }

  #persistOutbox() {
    if (this.#saved) this.#save({ ...this.#saved, outbox: this.pending.value });
  }

  #dropSent() {
    const have = new Set(this.messages.value.filter((m) => m.kind === "visitor").map((m) => m.clientId));
    const left = this.pending.value.filter((p) => !have.has(p.clientId));
    if (left.length !== this.pending.value.length) {
      this.pending.value = left;
      this.#persistOutbox();
    }
  }

  #flushing = false;
  async #flush() {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.pending.value.length) {
        const item = this.pending.value[0];
        try {
          const r = await this.#api<{ message: VisitorMessage }>("POST", "/messages", item);
          this.messages.value = addVisitorMessage(this.messages.value, r.message);
          this.#dropSent();
          if (this.pending.value[0]?.clientId === item.clientId) {
            this.pending.value = this.pending.value.slice(1);
            this.#persistOutbox();
          }
        } catch (e) {
          if (e instanceof VisitorApiError && e.status < 500 && e.status !== 429) {
            // Refused for good (the chat ended, too long): drop it and say so.
            this.error.value = e.message;
            this.pending.value = this.pending.value.slice(1);
            this.#persistOutbox();
          } else return; // offline: the next (re)connect flushes again
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  typing(on: boolean) {
    this.#frame({ action: "typing", typing: on });
  }

  seen() {
    const last = this.messages.value.at(-1)?.seq ?? 0;
    if (last && this.conv.value && this.conv.value.status !== "ended") {
      this.#frame({ action: "seen", seq: last });
    }
  }

  async end() {
    const r = await this.#api<{ conversation: VisitorView }>("POST", "/end");
    this.conv.value = r.conversation;
    this.messages.value = r.conversation.messages;
  }

  async rate(value: number, comment: string) {
    await this.#api("POST", "/rating", { value, comment });
    if (this.conv.value) this.conv.value = { ...this.conv.value, rated: true };
  }

  async transcript(): Promise<string> {
    const res = await fetch(`${this.base}/api/visitor/transcript`, {
      headers: { "x-parley-visitor": this.#saved?.token ?? "" },
    });
    if (!res.ok) throw new Error("The transcript could not be loaded");
    return await res.text();
  }

  /** Sends a file or image as a message (checked on the server like staff files). */
  async attach(file: File): Promise<void> {
    const res = await fetch(`${this.base}/api/visitor/files?name=${encodeURIComponent(file.name)}`, {
      method: "POST",
      headers: { "x-parley-visitor": this.#saved?.token ?? "" },
      body: file,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new VisitorApiError(
        res.status,
        data?.error?.code ?? "error",
        data?.error?.message ?? res.statusText,
      );
    }
    this.messages.value = addVisitorMessage(this.messages.value, data.message as VisitorMessage);
  }

  /** A file of this conversation as an object URL (the token travels in a header, so no plain link). */
  async fileUrl(id: number, variant: "original" | "thumb"): Promise<string> {
    const q = variant === "thumb" ? "?variant=thumb" : "";
    const res = await fetch(`${this.base}/api/visitor/files/${id}${q}`, {
      headers: { "x-parley-visitor": this.#saved?.token ?? "" },
    });
    if (!res.ok) throw new Error("The file could not be loaded");
    return URL.createObjectURL(await res.blob());
  }

  /** Asks the server to mail the transcript (to `email`, or the pre-chat email when empty); returns where. */
  async emailTranscript(email: string): Promise<string> {
    return (await this.#api<{ to: string }>("POST", "/transcript/email", { email: email.trim() })).to;
  }

  async offline(fields: Record<string, string>, formMs: number, website: string): Promise<number> {
    const r = await this.#api<{ ticketId: number }>(
      "POST",
      `/offline?workspace=${encodeURIComponent(this.workspace)}`,
      { ...fields, formMs: Math.round(formMs), website },
    );
    return r.ticketId;
  }

  #frame(f: Record<string, unknown>): Promise<boolean> {
    const t = this.#transport;
    if (!t || t.status.value !== "open") return Promise.resolve(false);
    const { action, ...rest } = f;
    return t.request(String(action), rest).then(() => true, () => false);
  }

  /** The socket: the shared transport (heartbeat, back-off, acks); the visitor's hello is `auth`. */
  #connect() {
    if (this.#stopped || this.#transport || !this.#saved?.token) return;
    const url = this.base
      ? `${this.base.replace(/^http/, "ws")}/api/visitor/ws`
      : `${location.origin.replace(/^http/, "ws")}/api/visitor/ws`;
    const t = new Transport(url, {
      ready: async (request) => {
        try {
          await request("auth", { token: this.#saved?.token });
        } catch (e) {
          if (e instanceof ApiError && e.code === "recovery_expired") {
            this.notice.value = e.message;
            queueMicrotask(() => this.newChat());
          }
          throw e;
        }
      },
      event: (e) => this.#onEvent(e as unknown as VisitorEvent),
      opened: () => void this.refresh().then(() => this.#flush()).catch(() => {}),
      closed: () => !this.#stopped && !!this.#saved?.token,
    });
    this.#transport = t;
    this.#stopStatus = effect(() => {
      const st = t.status.value;
      this.connection.value = st === "open" ? "open" : st === "connecting" ? "connecting" : "closed";
    });
    t.start();
  }

  reconnectNow() {
    this.#transport?.reconnectNow();
  }

  #onEvent(e: VisitorEvent) {
    const conv = this.conv.value;
    if (!conv || !("conversationId" in e) || e.conversationId !== conv.id) return;
    switch (e.type) {
      case "visitor_message":
        this.messages.value = addVisitorMessage(this.messages.value, e.message);
        if (e.message.kind === "agent") this.agentTyping.value = false;
        this.#dropSent();
        break;
      case "visitor_typing":
        if (e.who !== "agent") break;
        this.agentTyping.value = e.typing;
        if (this.#typingTimer) clearTimeout(this.#typingTimer);
        if (e.typing) this.#typingTimer = setTimeout(() => (this.agentTyping.value = false), 8000);
        break;
      case "visitor_seen":
        if (e.who === "agent") {
          this.conv.value = { ...conv, agentSeenSeq: Math.max(conv.agentSeenSeq, e.seq) };
        }
        break;
      case "visitor_status":
        this.conv.value = {
          ...conv,
          status: e.status,
          agentName: e.agentName,
          position: e.position,
          waitSeconds: e.waitSeconds,
          ticketId: e.ticketId ?? conv.ticketId,
        };
        if (e.status !== "waiting") this.agentTyping.value = e.status === "active" && this.agentTyping.value;
        break;
      case "visitor_ended":
        void this.refresh().catch(() => {});
        break;
    }
  }

  #stopSocket() {
    this.#transport?.stop();
    this.#transport = null;
    this.#stopStatus?.();
    this.#stopStatus = null;
    this.connection.value = "closed";
  }

  stop() {
    this.#stopped = true;
    this.#stopSocket();
  }
}
