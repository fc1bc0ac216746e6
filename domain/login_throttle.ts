/**
 * The login throttle. Every attempt is reserved and counted before its password is checked, in one
 * transaction holding advisory locks on its keys, so no burst, on any number of instances, gets more
 * passwords checked than the limits allow:
 *
 * - per (account, address): 5 failures in 30 minutes lock that account *from that address*;
 * - per account, from anywhere: 20 failures in 30 minutes back off every address that has not signed in
 *   to it successfully in the last SESSION_DAYS (a known address keeps working, so an attacker elsewhere
 *   cannot lock the real user out);
 * - per address: 50 failures in 30 minutes, across accounts.
 *
 * A success resets the account's counts; a failure keeps the reserved rows as its record.
 */
import * as attemptsRepo from "../db/repos/login_attempts.ts";
import type { Deps } from "./deps.ts";
import { AppError } from "./errors.ts";

export const LOCK_WINDOW_MS = 30 * 60 * 1000;
export const PAIR_MAX_FAILURES = 5;
export const ACCOUNT_MAX_FAILURES = 20;
export const IP_MAX_FAILURES = 50;

export interface Reservation {
  /** The (account, address) key and its row: a failure is judged by the attempts counted up to it. */
  pair: { key: string; id: number };
  /** Rows to mark successful on a right password (the account's keys). */
  resets: number[];
  /** Rows to drop on a right password (the address key: successes never count against an address). */
  drops: number[];
}

interface Rule {
  key: string;
  max: number;
  why: string;
}

function lockedError(deps: Deps, oldest: string | null, why: string): AppError {
  const until = oldest ? new Date(oldest).getTime() + LOCK_WINDOW_MS : deps.now().getTime() + LOCK_WINDOW_MS;
  const retry = Math.max(1, Math.ceil((until - deps.now().getTime()) / 1000));
  return new AppError("locked", 429, `${why} Try again after ${new Date(until).toISOString()}.`, {
    retryAfter: retry,
    lockedUntil: new Date(until).toISOString(),
  });
}

/** Counts one attempt against the account and the address, or throws `locked` (429) and counts nothing. */
export async function reserve(
  deps: Deps,
  account: { workspaceId: number; username: string },
  ip: string,
): Promise<Reservation> {
  const acct = `acct:${account.workspaceId}:${account.username.toLowerCase()}`;
  const pair = `${acct}@${ip}`;
  const addr = `ip:${ip}`;
  const now = deps.now();
  const since = new Date(now.getTime() - LOCK_WINDOW_MS);
  return await deps.db.tx(async (sql) => {
    await attemptsRepo.lockKeys(sql, [pair, acct, addr]);
    const known = await attemptsRepo.succeededSince(
      sql,
      pair,
      new Date(now.getTime() - deps.config.sessionDays * 86400_000),
    );
    const rules: Rule[] = [
      { key: addr, max: IP_MAX_FAILURES, why: "Too many failed sign-ins from this address." },
      {
        key: pair,
        max: PAIR_MAX_FAILURES,
        why: "This account is locked after too many failed sign-ins from this address.",
      },
      ...(known ? [] : [{
        key: acct,
        max: ACCOUNT_MAX_FAILURES,
        why: "This account is locked after too many failed sign-ins.",
      }]),
    ];
    const counts = new Map(
      (await attemptsRepo.counts(sql, rules.map((r) => r.key), since)).map((c) => [c.key, c]),
    );
    for (const r of rules) {
      const c = counts.get(r.key);
      if (c && c.count >= r.max) throw lockedError(deps, c.oldest, r.why);
    }
    await attemptsRepo.prune(sql, [pair, acct, addr], since);
    const [pairId, acctId, addrId] = await attemptsRepo.insert(sql, [pair, acct, addr], now);
    return { pair: { key: pair, id: pairId }, resets: [pairId, acctId], drops: [addrId] };
  });
}

/** The password was right: the account's counts start over and the address is not charged. */
export async function succeeded(deps: Deps, r: Reservation): Promise<void> {
  await deps.db.tx(async (sql) => {
    await attemptsRepo.succeed(sql, r.resets);
    await attemptsRepo.remove(sql, r.drops);
  });
}

/**
 * The password was wrong: the reserved rows stay as the record. When this failure used up the
 * (account, address) allowance, the answer is already `locked`, as the next attempt's would be (attempts
 * counted after this one, still in flight, do not change this one's answer).
 */
export async function failed(deps: Deps, r: Reservation): Promise<void> {
  const since = new Date(deps.now().getTime() - LOCK_WINDOW_MS);
  const [c] = await attemptsRepo.counts(deps.db, [r.pair.key], since, r.pair.id);
  if (c && c.count >= PAIR_MAX_FAILURES) {
    throw lockedError(
      deps,
      c.oldest,
      "This account is locked after too many failed sign-ins from this address.",
    );
  }
}
