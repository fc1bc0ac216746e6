/** The mail transport: SMTP through nodemailer, configured by `SMTP_URL`. */
import nodemailer from "nodemailer";
import type { Outcome, Outgoing, Transport } from "./transport.ts";

export function smtpTransport(opts: { url?: string; from: string }): Transport {
  const mailer = opts.url ? nodemailer.createTransport(opts.url) : null;
  return {
    name: "email",
    async send(o: Outgoing): Promise<Outcome> {
      if (o.transport !== "email") return { status: "failed", error: "not a mail" };
      if (!mailer) return { status: "retry", error: "SMTP_URL is not set" };
      const m = o.mail;
      try {
        await mailer.sendMail({
          from: opts.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          headers: { ...(m.headers ?? {}), ...(m.language ? { "Content-Language": m.language } : {}) },
          messageId: m.messageId,
        });
        return { status: "sent" };
      } catch (err) {
        const e = err as { responseCode?: number; message?: string };
        const error = `${e.responseCode ?? ""} ${e.message ?? String(err)}`.trim();
        // 5xx for the recipient is permanent (no such mailbox); anything else (4xx, network) is retried.
        if (e.responseCode && e.responseCode >= 500 && e.responseCode !== 554) {
          return { status: "failed", error };
        }
        return { status: "retry", error };
      }
    },
    close() {
      mailer?.close();
    },
  };
}
