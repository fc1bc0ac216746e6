/** The OpenAPI document and the docs page: complete, consistent, generated from the validating schemas. */
import assert from "node:assert/strict";
import { z } from "zod";
import { dbTest } from "../../helpers/db.ts";
import { fixture, testConfig } from "../../helpers/fixture.ts";
import { createApp } from "../../../routes/app.ts";
import { buildOpenApi, openApiPath } from "../../../routes/api/openapi.ts";
import { CreateChannelInput } from "../../../domain/channels.ts";
import { LoginInput } from "../../../domain/auth.ts";
import { createGateway } from "../../../realtime/server/gateway.ts";
import { Hub } from "../../../realtime/server/hub.ts";
import { httpFixture } from "../http.ts";
import { createVisitorGateway, VisitorHub } from "../../../realtime/server/visitor_gateway.ts";

/** Every `$ref` in the document, wherever it is. */
function refs(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) x.forEach((v) => refs(v, out));
  else if (x && typeof x === "object") {
    for (const [k, v] of Object.entries(x)) k === "$ref" ? out.push(v as string) : refs(v, out);
  }
  return out;
}

dbTest("every route the app registers is in the OpenAPI document, and nothing else", async (db) => {
  const f = await fixture(db);
  const hub = new Hub(f.deps.config.ws);
  const gateway = createGateway(f.deps, hub);
  const visitorGateway = createVisitorGateway(f.deps, new VisitorHub());
  try {
    const app = createApp(f.deps, {
      mounts: [["/api/chat", gateway.routes], ["/api/visitor", visitorGateway.routes]],
    });
    const registered = new Set(
      app.routes.filter((r) => r.method !== "ALL").map((r) =>
        `${r.method.toLowerCase()} ${openApiPath(r.path)}`
      ),
    );
    const doc = buildOpenApi(f.deps.config);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    assert.deepEqual([...registered].filter((r) => !documented.has(r)), [], "registered but not documented");
    assert.deepEqual([...documented].filter((r) => !registered.has(r)), [], "documented but not registered");
  } finally {
    gateway.stop();
    visitorGateway.stop();
  }
});

Deno.test("the document is OpenAPI 3.1 with resolvable references and unique operation ids", () => {
  const doc = buildOpenApi(testConfig());
  assert.equal(doc.openapi, "3.1.0");
  const names = new Set(Object.keys(doc.components.schemas));
  for (const r of refs(doc)) {
    assert.match(r, /^#\/components\/schemas\//);
    assert.ok(names.has(r.split("/").pop()!), `unresolved ${r}`);
  }
  const ids = Object.values(doc.paths).flatMap((ops) =>
    Object.values(ops).map((o) => (o as { operationId: string }).operationId)
  );
  assert.equal(new Set(ids).size, ids.length);
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (
      const [m, op] of Object.entries(ops) as [string, { parameters?: { name: string; in: string }[] }][]
    ) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((x) => x[1]);
      assert.deepEqual(
        op.parameters?.filter((p) => p.in === "path").map((p) => p.name) ?? [],
        inPath,
        `${m} ${path}`,
      );
    }
  }
});

Deno.test("request schemas are the domain's own", () => {
  const config = testConfig({ limits: { ...testConfig().limits, messageChars: 1234 } });
  const doc = buildOpenApi(config);
  const s = doc.components.schemas as Record<string, Record<string, unknown>>;
  const { $schema: _, ...create } = z.toJSONSchema(CreateChannelInput, { io: "input" }) as Record<
    string,
    unknown
  >;
  assert.deepEqual(s.CreateChannelInput, create);
  const { $schema: _l, ...loginSchema } = z.toJSONSchema(LoginInput, { io: "input" }) as Record<
    string,
    unknown
  >;
  assert.deepEqual(s.LoginInput, loginSchema);
  const send = s.SendMessageInput as {
    properties: Record<string, { maxLength?: number }>;
    required: string[];
  };
  assert.equal(send.properties.body.maxLength, 1234, "the configured message limit");
  assert.deepEqual(send.required.sort(), ["body", "clientId"]);
  assert.equal("channelId" in send.properties, false, "the channel comes from the path");
  const history =
    (doc.paths["/api/chat/channels/{id}/messages"].get as { parameters: { name: string }[] }).parameters;
  assert.deepEqual(history.map((p) => p.name), ["id", "before", "after", "around", "limit"]);
});

dbTest("GET /api/openapi.json and /api/docs are served without a session", async (db) => {
  const h = await httpFixture(db);
  const json = await h.call("GET", "/api/openapi.json");
  assert.equal(json.status, 200);
  assert.equal(json.json.openapi, "3.1.0");
  assert.deepEqual(json.json, JSON.parse(JSON.stringify(buildOpenApi(h.f.deps.config))));
  const page = await h.call("GET", "/api/docs");
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(page.headers.get("content-security-policy")!, /default-src 'none'/);
  assert.doesNotMatch(
    page.text,
    /<script|https?:\/\/(?!localhost)[a-z]/i,
    "no scripts, nothing from elsewhere",
  );
  for (const path of Object.keys(json.json.paths)) {
    assert.ok(page.text.includes(`<code>${path}</code>`), path);
  }
  for (const name of Object.keys(json.json.components.schemas)) {
    assert.ok(page.text.includes(`id="schema-${name}"`));
  }
  assert.match(page.text, /16000 characters/);
});
