import assert from "node:assert/strict";
import { RateLimiter } from "../../domain/rate_limit.ts";
import { AppError } from "../../domain/errors.ts";

Deno.test("a bucket allows its rate, then refuses with a retry time, then refills", () => {
  let now = 0;
  const l = new RateLimiter(() => now);
  for (let i = 0; i < 3; i++) l.take("k", 3);
  assert.throws(() => l.take("k", 3), (e: AppError) => {
    assert.equal(e.status, 429);
    assert.equal(e.code, "rate_limited");
    assert.equal(e.extra.retryAfter, 20);
    return true;
  });
  l.take("other", 3); // keys are independent
  now += 20_000;
  l.take("k", 3);
  assert.throws(() => l.take("k", 3));
});
