/**
 * The login throttle under concurrency (issue 9, items 2 and 11): attempts are counted before the password
 * is checked, so a burst gets no more passwords checked than the limits allow; the lock is per (account,
 * address), with a slower back-off per account that spares addresses the user signed in from before.
 */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import * as auth from "../../domain/auth.ts";
import { AppError } from "../../domain/errors.ts";
import type { Db } from "../../db/client.ts";

type Outcome = 200 | 401 | 429;

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof AppError && (e.status === 401 || e.status === 429)) return e.status;
    throw e;
  }
}

/** How many passwords were checked: every failure is audited, every success opened a session. */
async function checked(db: Db): Promise<{ wrong: number; right: number }> {
  const [r] = await db.query<{ wrong: number; right: number }>(
    `SELECT count(*) FILTER (WHERE action = 'login_failed')::int AS wrong,
       count(*) FILTER (WHERE action = 'login')::int AS right FROM audit_log`,
  );
  return r;
}

const tally = (xs: Outcome[]) => ({
  ok: xs.filter((x) => x === 200).length,
  wrong: xs.filter((x) => x === 401).length,
  locked: xs.filter((x) => x === 429).length,
});

/** Logs every reservation and every success in order (a test-only trigger), to check the invariant. */
async function recordAttempts(db: Db) {
  await db.query(
    "CREATE TABLE attempt_log (n bigint GENERATED ALWAYS AS IDENTITY, id bigint, key text, what text)",
  );
  await db.query(`CREATE FUNCTION log_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO attempt_log (id, key, what) VALUES (NEW.id, NEW.key, CASE WHEN NEW.ok THEN 'ok' ELSE 'try' END);
      RETURN NEW;
    END $$`);
  await db.query(
    "CREATE TRIGGER log_attempt AFTER INSERT OR UPDATE ON login_failures FOR EACH ROW EXECUTE FUNCTION log_attempt()",
  );
  /** For one key: how many attempts were counted (since the last success) when each success was reserved. */
  return async (key: string) => {
    const rows = await db.query<{ id: number; what: string }>(
      "SELECT id, what FROM attempt_log WHERE key = $1 ORDER BY n",
      [key],
    );
    const okIds = new Set(rows.filter((r) => r.what === "ok").map((r) => r.id));
    const tries = rows.filter((r) => r.what === "try").sort((a, b) => a.id - b.id);
    const before: number[] = [];
    let since = 0;
    for (const t of tries) {
      if (okIds.has(t.id)) {
        before.push(since);
        since = 0;
      } else since++;
    }
    return { tries: tries.length, before };
  };
}

dbTest(
  "21 concurrent logins (20 wrong, 1 right): the right one gets in only within the limit",
  async (db, engine) => {
    const f = await fixture(db);
    const order = await recordAttempts(db);
    const ctx = { ip: "198.51.100.1", userAgent: "burst" };
    const attempts = Array.from(
      { length: 21 },
      (_, i) =>
        outcome(auth.login(f.deps, { username: "bob", password: i === 10 ? "pw" : `wrong${i}` }, ctx)),
    );
    const t = tally(await Promise.all(attempts));
    const { tries, before } = await order(`acct:${f.ws}:bob@${ctx.ip}`);
    const c = await checked(db);
    const info = `${engine}: ${JSON.stringify({ ...t, ...c, before })}`;
    // Every password that was checked had its attempt counted first, and nothing else was.
    assert.equal(tries, c.wrong + c.right, info);
    assert.equal(c.right, t.ok, info);
    if (t.ok) {
      // Let in only while fewer than five attempts were counted against bob from this address.
      assert.equal(before.length, 1, info);
      assert.ok(before[0] < auth.PAIR_MAX_FAILURES, info);
      // A success starts the count over: at most one more allowance after it.
      assert.ok(c.wrong <= 2 * auth.PAIR_MAX_FAILURES - 1, info);
    } else {
      assert.equal(c.wrong, auth.PAIR_MAX_FAILURES, info);
    }
  },
);

dbTest("60 concurrent wrong passwords record no more than the limit", async (db) => {
  const f = await fixture(db);
  const ctx = { ip: "198.51.100.2", userAgent: "burst" };
  const t = tally(
    await Promise.all(
      Array.from(
        { length: 60 },
        (_, i) => outcome(auth.login(f.deps, { username: "carol", password: `no${i}` }, ctx)),
      ),
    ),
  );
  assert.equal(t.ok, 0);
  assert.equal(t.wrong + t.locked, 60);
  // The fifth failure already answers 429 (the lock it causes), so at most five were checked.
  assert.ok(t.wrong <= auth.PAIR_MAX_FAILURES, JSON.stringify(t));
  const rows = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM login_failures WHERE key = $1 AND NOT ok",
    [`acct:${f.ws}:carol@${ctx.ip}`],
  );
  assert.equal(rows[0].n, auth.PAIR_MAX_FAILURES);
  assert.equal((await checked(db)).wrong, auth.PAIR_MAX_FAILURES);
});

dbTest("60 concurrent wrong passwords from 60 addresses check at most the account's limit", async (db) => {
  const f = await fixture(db);
  const t = tally(
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        outcome(
          auth.login(f.deps, { username: "carol", password: `no${i}` }, {
            ip: `203.0.113.${i}`,
            userAgent: "",
          }),
        )),
    ),
  );
  assert.equal(t.wrong + t.locked, 60);
  assert.equal((await checked(db)).wrong, auth.ACCOUNT_MAX_FAILURES);
});

dbTest("an attacker at one address cannot lock the real user out from theirs", async (db) => {
  const f = await fixture(db);
  const attacker = { ip: "192.0.2.66", userAgent: "" };
  const user = { ip: "192.0.2.10", userAgent: "" };
  for (let i = 0; i < 10; i++) {
    await outcome(auth.login(f.deps, { username: "alice", password: "guess" }, attacker));
  }
  assert.equal(await outcome(auth.login(f.deps, { username: "alice", password: "pw" }, attacker)), 429);
  assert.equal(await outcome(auth.login(f.deps, { username: "alice", password: "pw" }, user)), 200);
  // The user's own typos count against their address only, and a success starts them over.
  for (let i = 0; i < 4; i++) {
    assert.equal(await outcome(auth.login(f.deps, { username: "alice", password: "typo" }, user)), 401);
  }
  assert.equal(await outcome(auth.login(f.deps, { username: "alice", password: "pw" }, user)), 200);
});

dbTest("many addresses together back the account off, except where the user signed in before", async (db) => {
  const f = await fixture(db);
  const home = { ip: "192.0.2.10", userAgent: "" };
  assert.equal(await outcome(auth.login(f.deps, { username: "alice", password: "pw" }, home)), 200);
  for (let a = 0; a < 5; a++) {
    for (let i = 0; i < 4; i++) {
      const r = await outcome(
        auth.login(f.deps, { username: "alice", password: "guess" }, { ip: `198.18.0.${a}`, userAgent: "" }),
      );
      assert.equal(r, a * 4 + i < auth.ACCOUNT_MAX_FAILURES ? 401 : 429);
    }
  }
  // Twenty failures from five addresses: a new address is refused even with the right password...
  const fresh = await outcome(
    auth.login(f.deps, { username: "alice", password: "pw" }, { ip: "198.18.1.1", userAgent: "" }),
  );
  assert.equal(fresh, 429);
  // ...but the address alice signed in from before still works, and her success resets the account.
  assert.equal(await outcome(auth.login(f.deps, { username: "alice", password: "pw" }, home)), 200);
  assert.equal(
    await outcome(
      auth.login(f.deps, { username: "alice", password: "pw" }, { ip: "198.18.1.1", userAgent: "" }),
    ),
    200,
  );
});
