/**
 * `deno task admin:create --username NAME [--name "Display Name"] [--email a@b] [--workspace slug]`
 * creates an administrator (and the workspace, when it does not exist yet), applying pending migrations
 * first. The password comes from PARLEY_ADMIN_PASSWORD, or is asked for on the terminal (not echoed), or
 * is read from the first line of standard input when that is not a terminal. It uses the same
 * DATABASE_URL / DATA_DIR as the server.
 *
 * @example
 * DATABASE_URL=postgres://… deno task admin:create --username admin --name "Ada Admin"
 */
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config.ts";
import { type Db, openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import * as usersRepo from "../db/repos/users.ts";
import * as workspacesRepo from "../db/repos/workspaces.ts";
import { hashPassword } from "../domain/passwords.ts";

export const MIN_PASSWORD_CHARS = 10;
const USAGE =
  'usage: deno task admin:create --username NAME [--name "Display Name"] [--email ADDRESS] [--workspace SLUG]';

export interface AdminInput {
  username: string;
  displayName?: string;
  email?: string;
  workspace: string;
  password: string;
}

/** Creates the administrator; throws an Error with a message for the person at the terminal. */
export async function createAdmin(db: Db, input: AdminInput, print: (line: string) => void): Promise<void> {
  if (!/^[a-zA-Z0-9._-]{1,64}$/.test(input.username)) {
    throw new Error("the username may use letters, digits, dot, dash and underscore (at most 64)");
  }
  if (!/^[a-z0-9-]{1,64}$/.test(input.workspace)) throw new Error("the workspace slug: a-z, 0-9 and -");
  if ([...input.password].length < MIN_PASSWORD_CHARS) {
    throw new Error(`the password needs at least ${MIN_PASSWORD_CHARS} characters`);
  }
  await migrate(db, () => {});
  const hash = await hashPassword(input.password);
  await db.tx(async (sql) => {
    const ws = await workspacesRepo.bySlug(sql, input.workspace) ??
      await workspacesRepo.insert(sql, input.workspace, "Parley");
    if (await usersRepo.byUsername(sql, ws.id, input.username)) {
      throw new Error(`"${input.username}" already exists in the workspace "${input.workspace}"`);
    }
    await usersRepo.insert(sql, {
      workspaceId: ws.id,
      username: input.username,
      displayName: input.displayName?.trim() || input.username,
      email: input.email ?? null,
      role: "admin",
      passwordHash: hash,
    });
  });
  print(`admin:create: created the administrator "${input.username}" in the workspace "${input.workspace}"`);
}

/** Reads a line from the terminal without echoing it; from a pipe, the first line. */
async function readPassword(prompt: string): Promise<string> {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const buf = new Uint8Array(1);
  let out = "";
  const tty = Deno.stdin.isTerminal();
  if (tty) {
    await Deno.stderr.write(enc.encode(prompt));
    Deno.stdin.setRaw(true);
  }
  const bytes: number[] = [];
  try {
    for (;;) {
      const n = await Deno.stdin.read(buf);
      if (n === null) break;
      const b = buf[0];
      if (b === 3) throw new Error("cancelled"); // Ctrl-C in raw mode
      if (b === 10 || b === 13) break;
      if (tty && (b === 127 || b === 8)) {
        bytes.pop();
        continue;
      }
      bytes.push(b);
    }
    out = dec.decode(new Uint8Array(bytes));
  } finally {
    if (tty) {
      Deno.stdin.setRaw(false);
      await Deno.stderr.write(enc.encode("\n"));
    }
  }
  return out;
}

export async function main(args: string[], env: Record<string, string | undefined>): Promise<number> {
  let flags;
  try {
    ({ values: flags } = parseArgs({
      args,
      options: {
        username: { type: "string" },
        name: { type: "string" },
        email: { type: "string" },
        workspace: { type: "string" },
      },
    }));
  } catch (e) {
    console.error(`admin:create: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!flags.username) {
    console.error(USAGE);
    return 2;
  }
  const config: Config = loadConfig(env, []);
  let password = env.PARLEY_ADMIN_PASSWORD ?? "";
  if (!password) {
    password = await readPassword(`Password for ${flags.username}: `);
    if (Deno.stdin.isTerminal()) {
      if (password !== await readPassword("Repeat the password: ")) {
        console.error("admin:create: the passwords differ");
        return 1;
      }
    }
  }
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 2 });
  try {
    await createAdmin(db, {
      username: flags.username,
      displayName: flags.name,
      email: flags.email,
      workspace: flags.workspace ?? config.defaultWorkspace,
      password,
    }, (l) => console.log(l));
    return 0;
  } catch (e) {
    console.error(`admin:create: ${(e as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args, Deno.env.toObject()));
