/**
 * Demo mode and the first administrator: with DATABASE_URL the demo is off unless asked for, a start with no
 * users says how to create the first administrator, and `deno task admin:create` does it (password from
 * the environment or standard input).
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../config.ts";
import { FIRST_ADMIN_HINT, startServer } from "../../main.ts";
import { dropPostgresUrl, postgresUrl } from "../helpers/db.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("the demo is on for embedded PGlite, off with DATABASE_URL unless asked for", () => {
  assert.equal(loadConfig({}).demo, true);
  assert.equal(loadConfig({ DEMO: "0" }).demo, false);
  assert.equal(loadConfig({}, ["--no-demo"]).demo, false);
  const db = { DATABASE_URL: "postgres://x/y" };
  assert.equal(loadConfig(db).demo, false);
  assert.equal(loadConfig({ ...db, DEMO: "1" }).demo, true);
  assert.equal(loadConfig(db, ["--demo"]).demo, true);
});

async function adminCreate(env: Record<string, string>, args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/admin_create.ts", ...args],
    cwd: ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1", ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function signIn(url: string, username: string, password: string) {
  const r = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  return { status: r.status, body: await r.json() };
}

Deno.test({
  name: "a production start with no users says how to create the first administrator; admin:create does it",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const url = await postgresUrl({ migrated: false });
  const dataDir = url ? null : await Deno.makeTempDir({ prefix: "parley-admin-" });
  const env: Record<string, string> = url ? { DATABASE_URL: url } : { DATA_DIR: dataDir!, DEMO: "0" };
  try {
    const lines: string[] = [];
    const config = loadConfig({ ...env, PORT: "0", HOSTNAME_BIND: "127.0.0.1", PARLEY_BUS: "memory" });
    assert.equal(config.demo, false);
    let s = await startServer(config, (l) => lines.push(l));
    try {
      assert.ok(lines.includes(FIRST_ADMIN_HINT), lines.join("\n"));
      assert.match(FIRST_ADMIN_HINT, /deno task admin:create/);
      // No demo accounts, no demo banner, and the login page prints no password.
      const login = await fetch(`${s.url}/login`).then((r) => r.text());
      assert.doesNotMatch(login, /password “/);
      assert.doesNotMatch(login, /class="demo-banner"/);
      assert.equal((await signIn(s.url, "admin", "parley")).status, 400); // no workspace at all yet
    } finally {
      await s.shutdown();
    }

    // Refusals first: a short password, a missing username.
    const short = await adminCreate({ ...env, PARLEY_ADMIN_PASSWORD: "short" }, ["--username", "root"]);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 10 characters/);
    assert.equal((await adminCreate(env, [])).code, 2);
    // From the environment, then a second one from standard input; a taken name is refused.
    const made = await adminCreate(
      { ...env, PARLEY_ADMIN_PASSWORD: "correct horse battery" },
      ["--username", "root", "--name", "Root Admin"],
    );
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /created the administrator "root"/);
    const piped = await adminCreate(env, ["--username", "second"], "another long password\n");
    assert.equal(piped.code, 0, piped.stderr);
    const again = await adminCreate({ ...env, PARLEY_ADMIN_PASSWORD: "whatever12345" }, [
      "--username",
      "root",
    ]);
    assert.equal(again.code, 1);

    lines.length = 0;
    s = await startServer(config, (l) => lines.push(l));
    try {
      assert.ok(!lines.includes(FIRST_ADMIN_HINT));
      for (
        const [username, password] of [["root", "correct horse battery"], ["second", "another long password"]]
      ) {
        const r = await signIn(s.url, username, password);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.user.role, "admin");
      }
    } finally {
      await s.shutdown();
    }
  } finally {
    if (url) await dropPostgresUrl(url);
    if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test({
  name: "in demo mode every page says so, and only then does the login page print the password",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "parley-demo-" });
  try {
    const s = await startServer(
      loadConfig({ DATA_DIR: dataDir, PORT: "0", HOSTNAME_BIND: "127.0.0.1" }),
      () => {},
    );
    try {
      const login = await fetch(`${s.url}/login`).then((r) => r.text());
      assert.match(login, /class="demo-banner" role="note">Demo workspace/);
      assert.match(login, /"demoPassword":"parley"/);
      const { body } = await signIn(s.url, "alice", "parley");
      const cookie = `parley_session=${body.token}`;
      for (const path of ["/chat", "/demo", "/demo/tickets", "/logout"]) {
        const html = await fetch(`${s.url}${path}`, { headers: { cookie } }).then((r) => r.text());
        assert.match(html, /class="demo-banner" role="note">Demo workspace/, path);
      }
    } finally {
      await s.shutdown();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
