/**
 * A real SMTP server for tests (`smtp-server` on loopback) that parses every mail it accepts with
 * `mailparser`. `failNext(n, code)` makes the next n deliveries fail with an SMTP error, to test retries.
 */
import { SMTPServer } from "smtp-server";
import { type ParsedMail, simpleParser } from "mailparser";

export interface TestSmtp {
  url: string;
  mails: ParsedMail[];
  failNext(n: number, code?: number): void;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const mails: ParsedMail[] = [];
  let failing = 0;
  let failCode = 451;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      if (failing > 0) {
        failing--;
        stream.resume();
        stream.on("end", () => {
          const err = new Error("try again later") as Error & { responseCode: number };
          err.responseCode = failCode;
          callback(err);
        });
        return;
      }
      simpleParser(stream).then((m) => {
        mails.push(m);
        callback();
      }, (e) => callback(e));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    failNext(n, code = 451) {
      failing = n;
      failCode = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
