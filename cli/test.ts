/**
 * `deno task test`: runs the whole suite. When a Postgres server is reachable (DATABASE_URL, or Debian's
 * postgresql binaries, in which case a throw-away cluster is started here) every database test also runs
 * against it through TEST_DATABASE_URL. With CI=true a missing Postgres is a failure, not a skip. With no
 * arguments every file under tests/ runs, several at a time (DENO_JOBS, default: the cores, at least 2).
 */
import { findPgBin, startCluster } from "./pg_cluster.ts";

const ci = Deno.env.get("CI") === "true";
let url = Deno.env.get("DATABASE_URL") ?? Deno.env.get("TEST_DATABASE_URL");
let stop: (() => Promise<void>) | null = null;
if (!url && findPgBin()) {
  const c = await startCluster({ fsync: false });
  url = c.url;
  stop = c.stop;
  console.log(`test: started a throw-away Postgres at ${url}`);
}
if (!url) {
  if (ci) {
    console.error("test: CI=true but no Postgres is available; install postgresql or set DATABASE_URL");
    Deno.exit(1);
  }
  console.log(
    "test: no Postgres found; database tests run on PGlite only (apt-get install postgresql to add it)",
  );
}

// The whole suite runs its files in parallel (at least two at a time: most of a browser test is waiting on
// Chromium, most of a database test on Postgres); each file still runs its own tests in order.
const jobs = Deno.env.get("DENO_JOBS") ?? String(Math.max(2, navigator.hardwareConcurrency));
const args = [
  "test",
  "-A",
  "--unstable-broadcast-channel",
  ...(Deno.args.length ? Deno.args : ["--parallel", "tests/"]),
];
const child = new Deno.Command(Deno.execPath(), {
  args,
  env: { ...(url ? { TEST_DATABASE_URL: url } : {}), DENO_NO_UPDATE_CHECK: "1", DENO_JOBS: jobs },
  stdout: "piped",
  stderr: "inherit",
}).spawn();
let tail = "";
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  tail = (tail + decoder.decode(chunk)).slice(-4000);
}
const status = await child.status;
if (stop) await stop();
const m = /(ok|FAILED) \| (\d+) passed[^|]*\| (\d+) failed/.exec(
  tail.replace(new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g"), ""),
);
if (m) console.log(`\ntests: ${m[2]} passed, ${m[3]} failed`);
Deno.exit(status.code);
