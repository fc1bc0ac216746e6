/**
 * Monitor's live view: a read-only watch over the chat WebSocket (`monitor_watch`, checked and audited on
 * the server). Message events of the watched conversation (0: every conversation) come as `monitor_event`;
 * when the person's permissions change the server ends the watch (`monitor_ended`) and this asks again,
 * which the server checks anew: a refusal stops the live view.
 */
import { Transport } from "../../realtime/client/transport.ts";
import type { MonitorMessageEvent } from "../../realtime/protocol.ts";

export interface LiveHooks {
  event(e: MonitorMessageEvent): void;
  /** The watch was refused or ended for good (the message says why). */
  stopped(message: string): void;
  /** The watch is on (again, after a reconnect). */
  watching(): void;
}

export function watchLive(channelId: number, hooks: LiveHooks): () => void {
  const url = new URL("/api/chat/ws", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  let done = false;
  const stop = (message: string) => {
    if (done) return;
    done = true;
    hooks.stopped(message);
    transport.stop();
  };
  const transport: Transport = new Transport(url.toString(), {
    async ready(request) {
      await request("hello", {});
      await request("monitor_watch", { channelId }).then(() => hooks.watching(), (e) => stop(e.message));
    },
    event(e) {
      if (e.type === "monitor_event") hooks.event(e.event);
      else if (e.type === "monitor_ended") {
        transport.request("monitor_watch", { channelId }).then(
          () => hooks.watching(),
          (err) => stop(err.message),
        );
      } else if (e.type === "session_revoked") stop("Your session has ended");
    },
    opened() {},
    closed: () => !done,
  });
  transport.start();
  return () => {
    done = true;
    transport.stop();
  };
}
