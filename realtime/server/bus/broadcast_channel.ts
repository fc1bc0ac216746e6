/** BroadcastChannel bus: isolates of one deployment (Deno Deploy, workers) share events by name. */
import type { Envelope } from "../../protocol.ts";
import { type EventBus, Subscribers } from "./bus.ts";

export function broadcastChannelBus(name = "parley-events"): EventBus {
  const subs = new Subscribers();
  const bc = new BroadcastChannel(name);
  bc.onmessage = (ev: MessageEvent<Envelope[]>) => {
    if (Array.isArray(ev.data)) { for (const e of ev.data) subs.deliver(e); }
  };
  return {
    publish(envs) {
      for (const e of envs) subs.deliver(e);
      try {
        bc.postMessage(envs);
      } catch (err) {
        console.error("broadcast channel publish failed", err);
      }
    },
    subscribe: (fn) => subs.add(fn),
    close() {
      bc.close();
      return Promise.resolve();
    },
  };
}
