/** Checks for addresses that deliveries go to: email addresses and Web Push endpoints. */
import { z } from "zod";

const Email = z.email();

export function isValidEmail(s: string | null | undefined): s is string {
  return typeof s === "string" && s.length <= 254 && Email.safeParse(s).success;
}

/**
 * A push endpoint must be an https URL on a public host name (push services are); plain http is accepted
 * only for loopback addresses when the configuration allows it (tests, a local push service).
 */
export function pushEndpointProblem(endpoint: string, allowLoopbackHttp: boolean): string | null {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return "endpoint: not a URL";
  }
  if (endpoint.length > 2000) return "endpoint: too long";
  if (u.username || u.password) return "endpoint: may not carry credentials";
  const loopback = u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]";
  if (u.protocol === "http:" && loopback && allowLoopbackHttp) return null;
  if (u.protocol !== "https:") return "endpoint: must be an https URL";
  if (loopback && !allowLoopbackHttp) return "endpoint: must be a push service's address";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(u.hostname) || u.hostname.startsWith("[")) {
    return "endpoint: must be a push service's host name";
  }
  return null;
}
