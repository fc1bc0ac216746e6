/**
 * Starts a throw-away Postgres cluster from Debian's postgresql binaries (tests and benchmarks).
 * As root, initdb and postgres run as the `postgres` user through `runuser`.
 */
import { existsSync } from "node:fs";

export interface Cluster {
  url: string;
  /** The cluster's Unix socket (cheaper per query than loopback TCP). */
  socketPath: string;
  stop(): Promise<void>;
}

export function findPgBin(): string | null {
  const candidates: string[] = [];
  try {
    for (const v of [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => e.name).sort().reverse()) {
      candidates.push(`/usr/lib/postgresql/${v}/bin`);
    }
  } catch { /* not installed */ }
  for (const dir of candidates) if (existsSync(`${dir}/initdb`) && existsSync(`${dir}/postgres`)) return dir;
  return null;
}

async function run(cmd: string[], opts: { quiet?: boolean } = {}) {
  const out = await new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success && !opts.quiet) {
    throw new Error(`${cmd.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out;
}

function freePort(): number {
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export async function startCluster(
  opts: { fsync?: boolean; maxConnections?: number; extra?: string[] } = {},
): Promise<Cluster> {
  const bin = findPgBin();
  if (!bin) throw new Error("No Postgres binaries found (apt-get install postgresql)");
  const isRoot = Deno.uid?.() === 0;
  const dir = await Deno.makeTempDir({ prefix: "parley-pg-" });
  const as = (cmd: string[]) => (isRoot ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd);
  if (isRoot) await run(["chown", "postgres:postgres", dir]);
  await run(
    as([`${bin}/initdb`, "-D", `${dir}/data`, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
  );
  const port = freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    `-c max_connections=${opts.maxConnections ?? 200}`,
    `-c fsync=${opts.fsync === false ? "off" : "on"}`,
    ...(opts.extra ?? []),
  ].join(" ");
  await run(as([`${bin}/pg_ctl`, "-D", `${dir}/data`, "-l", `${dir}/log`, "-o", settings, "-w", "start"]));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    socketPath: `${dir}/.s.PGSQL.${port}`,
    async stop() {
      await run(as([`${bin}/pg_ctl`, "-D", `${dir}/data`, "-m", "immediate", "stop"]), { quiet: true });
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
