/**
 * The calls ringing for me, and nothing else: live calls from `call_list` on every (re)connect plus
 * `call_updated` events. Small enough for the staff widget, which rings but answers in the chat app.
 */
import { computed, effect, signal } from "@preact/signals";
import type { CallInfo } from "../../realtime/protocol.ts";
import type { CallTransport } from "./call_client.ts";

export class RingWatch {
  readonly calls = signal<Record<number, CallInfo>>({});
  readonly ringing = computed(() => {
    const me = this.t.me.value?.id;
    return Object.values(this.calls.value).filter((c) =>
      c.state !== "ended" && c.participants.some((p) => p.userId === me && p.state === "ringing")
    );
  });
  #off: (() => void)[] = [];

  constructor(readonly t: CallTransport) {}

  start() {
    this.#off.push(this.t.on("call_updated", (e) => {
      if (e.type === "call_updated") this.calls.value = { ...this.calls.value, [e.call.id]: e.call };
    }));
    let was = this.t.status.value;
    this.#off.push(effect(() => {
      const now = this.t.status.value;
      if (now === "open" && was !== "open") void this.#sync();
      was = now;
    }));
    if (this.t.status.value === "open") void this.#sync();
  }

  stop() {
    for (const f of this.#off.splice(0)) f();
  }

  async decline(callId: number) {
    await this.t.request("call_decline", { callId }).catch(() => {});
  }

  async #sync() {
    const r = await this.t.request<{ calls: CallInfo[] }>("call_list").catch(() => null);
    if (r) this.calls.value = Object.fromEntries(r.calls.map((c) => [c.id, c]));
  }
}
