/**
 * The one error type. `code` is stable, `status` is the HTTP status, `message` is safe to show.
 * Rendered as `{"error":{"code","message"}}` over HTTP and as an error frame over WebSocket.
 *
 * @example
 * throw new AppError("not_found", 404, "No such channel");
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
  toJSON() {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

export const notFound = (what = "Not found") => new AppError("not_found", 404, what);
export const forbidden = (why = "You are not allowed to do that") => new AppError("forbidden", 403, why);
export const unauthenticated = (why = "Sign in first") => new AppError("unauthenticated", 401, why);
export const conflict = (why: string) => new AppError("conflict", 409, why);
export const invalid = (why: string, issues?: unknown) =>
  new AppError("invalid_input", 400, why, issues ? { issues } : {});
export const rateLimited = (retryAfterSeconds: number, why = "Too many requests") =>
  new AppError("rate_limited", 429, `${why}; retry in ${retryAfterSeconds} s`, {
    retryAfter: retryAfterSeconds,
  });

/** Turns anything thrown into an AppError; unknown errors are logged and become a generic 500. */
export function toAppError(err: unknown, log: (e: unknown) => void = (e) => console.error(e)): AppError {
  if (err instanceof AppError) return err;
  log(err);
  return new AppError("internal", 500, "Something went wrong on our side");
}
