/** The in-process bus: one instance, events go straight to the local hub. */
import type { Envelope } from "../../protocol.ts";
import { type EventBus, Subscribers } from "./bus.ts";

export function memoryBus(): EventBus {
  const subs = new Subscribers();
  return {
    publish(envs: Envelope[]) {
      for (const e of envs) subs.deliver(e);
    },
    subscribe: (fn) => subs.add(fn),
    close: () => Promise.resolve(),
  };
}
