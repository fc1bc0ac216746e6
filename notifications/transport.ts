/**
 * Transports: the one interface the outbox worker sends through. SMTP (`smtp.ts`) and Web Push
 * (`web_push.ts`) implement it; a transport only talks to the outside world and reports how it went.
 */
import type { OutgoingMail } from "../domain/notifications/mail.ts";
import type { PushMessage } from "../domain/notifications/render.ts";

export type Outgoing =
  | { transport: "email"; mail: OutgoingMail }
  | { transport: "push"; push: PushMessage };

/**
 * `sent`; `retry` (a temporary failure: try again later); `failed` (permanent: never retry); `gone` (the
 * address no longer exists, e.g. a push endpoint answering 404/410: forget it).
 */
export type Outcome =
  | { status: "sent" }
  | { status: "retry"; error: string }
  | { status: "failed"; error: string }
  | { status: "gone"; error: string };

export interface Transport {
  readonly name: Outgoing["transport"];
  send(message: Outgoing): Promise<Outcome>;
  close?(): Promise<void> | void;
}
