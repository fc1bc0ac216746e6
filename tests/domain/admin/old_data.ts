/** What the retention and purge tests both make before ageing it: a message from alice, a PDF she uploads. */
import assert from "node:assert/strict";
import { type Http, ORIGIN } from "../../routes/http.ts";
import { pdf } from "../../helpers/files.ts";

export async function send(h: Http, channelId: number, body: string, attachments: number[] = []) {
  const r = await h.call("POST", `/api/chat/channels/${channelId}/messages`, {
    as: "alice",
    body: { clientId: crypto.randomUUID(), body, attachments },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.message.id as number;
}

export async function uploadPdf(h: Http, channelId: number) {
  const bytes = pdf();
  const res = await h.app.request(`${ORIGIN}/api/chat/channels/${channelId}/files?name=old.pdf`, {
    method: "POST",
    headers: { authorization: `Bearer ${h.tokens.alice}`, "content-length": String(bytes.length) },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  const j = await res.json();
  assert.equal(res.status, 201, JSON.stringify(j));
  return j.file.id as number;
}
