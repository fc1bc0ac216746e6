/** The Hono environment shared by every sub-app: the authenticated actor and the session token. */
import type { Actor } from "../domain/deps.ts";

export interface AppEnv {
  Variables: {
    actor: Actor;
    /** How the request authenticated: cookie requests are CSRF-checked, bearer requests are not. */
    authVia: "cookie" | "bearer";
  };
}

export const SESSION_COOKIE = "parley_session";
