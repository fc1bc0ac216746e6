/**
 * DATABASE_URL in the Unix-socket form that libpq (`psql`) and node-postgres take, for postgres.js.
 *
 * A Postgres on the same host is reached through its socket directory: `postgres://user@/db?host=/dir`
 * (the port, when not 5432, as `&port=5433`: it names the socket file `/dir/.s.PGSQL.5433`). postgres.js 3.4
 * cannot parse that URL (WHATWG's `new URL` refuses credentials without a host) and does not read `host`
 * from the query: it would send it to the server as a setting, which refuses it. So here the directory and
 * the port leave the query, the URL gets a placeholder host, and the directory goes to postgres.js's own
 * `host` option (a host with a `/` is a socket directory to it: its `path` is `<dir>/.s.PGSQL.<port>`,
 * which `db/pg_copy_socket.ts` connects to). Any other URL is returned as it is.
 *
 * @example
 * const { url, options } = pgTarget("postgres://app@/parley?host=/run/postgresql");
 * const sql = postgres(url, { ...options, max: 10 }); // connects to /run/postgresql/.s.PGSQL.5432
 */
export interface PgTarget {
  /** A URL postgres.js parses (the socket form's host and port moved out of its query). */
  url: string;
  /** postgres.js options to spread before one's own: `{ host: "/dir" }` for the socket form, else none. */
  options: { host?: string };
}

export function pgTarget(url: string): PgTarget {
  const m = url.match(/^([a-z]+:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?$/i);
  const query = new URLSearchParams(m?.[4]?.slice(1) ?? "");
  const host = query.get("host");
  if (!m || !host?.startsWith("/")) return { url, options: {} };
  const [, scheme, authority, path] = m;
  const at = authority.lastIndexOf("@");
  const user = at >= 0 ? authority.slice(0, at + 1) : "";
  const port = query.get("port") ?? authority.slice(at + 1).match(/:(\d+)$/)?.[1];
  query.delete("host");
  query.delete("port");
  const rest = query.toString();
  return {
    url: `${scheme}${user}localhost${port ? `:${port}` : ""}${path}${rest ? `?${rest}` : ""}`,
    options: { host },
  };
}

/**
 * `url` without its password, and the password (for PGPASSWORD, so it is not on a command line): TCP URLs
 * and the socket form alike (`new URL` refuses the latter).
 */
export function splitPassword(url: string): { url: string; password: string } {
  const m = url.match(/^([a-z]+:\/\/)([^:@/?#]*):([^@/?#]*)@/i);
  if (!m) return { url, password: "" };
  return { url: `${m[1]}${m[2]}@${url.slice(m[0].length)}`, password: decodeURIComponent(m[3]) };
}
