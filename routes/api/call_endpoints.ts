/** The call endpoints of the OpenAPI document (listed by `openapi_endpoints.ts`). */
import { HistoryInput, RatingInput } from "../../domain/calls.ts";
import type { Endpoint } from "./openapi_endpoints.ts";
import { CallHistoryResponse, CallsResponse, IceResponse, Ok } from "./response_schemas.ts";

export function callEndpoints(): Endpoint[] {
  const base = "/api/chat/calls";
  const e = (m: Endpoint["method"], path: string, summary: string, rest: Partial<Endpoint>): Endpoint => ({
    method: m,
    path,
    tag: "Calls",
    summary,
    auth: true,
    ok: [],
    ...rest,
  });
  return [
    e("get", `${base}/ice`, "ICE servers for a call (STUN, and TURN with a credential that expires)", {
      description: "TURN credentials follow coturn's REST API scheme (use-auth-secret): username " +
        "`<expiry>:<user id>`, password base64(HMAC-SHA1(secret, username)). Needs a call permission.",
      ok: [[200, "RTCConfiguration fields", IceResponse]],
    }),
    e("get", base, "Live calls in my conversations", {
      description: "Ringing and ongoing calls; changes arrive as call_updated events over the WebSocket, " +
        "where calls are also started, answered and signaled (docs/calls.md).",
      ok: [[200, "Live calls", CallsResponse]],
    }),
    e("get", `${base}/history`, "My call history", {
      query: HistoryInput,
      ok: [[200, "Calls I was asked to or joined, newest first", CallHistoryResponse]],
    }),
    e("post", `${base}/:id/rating`, "Rate a call I was in (1 to 5)", {
      body: ["CallRatingInput", RatingInput],
      ok: [[200, "Stored", Ok]],
      errors: [404],
    }),
  ];
}
