/**
 * The OpenAPI 3.1 document of the REST API, built from the endpoint table (`openapi_endpoints.ts`, which
 * uses the same zod schemas the domain validates with) and `response_schemas.ts`, plus the routes that serve
 * it: `GET /api/openapi.json` and the readable docs page `GET /api/docs`. How authentication, CSRF, errors,
 * idempotent sends and pagination work is explained in `docs/api.md`.
 *
 * @example
 * const doc = buildOpenApi(config);
 * doc.paths["/api/chat/channels/{id}/messages"].post.requestBody;
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Config } from "../../config.ts";
import type { Deps } from "../../domain/deps.ts";
import { SsoClaims } from "../../domain/auth.ts";
import type { AppEnv } from "../env.ts";
import { SESSION_COOKIE } from "../env.ts";
import * as R from "./response_schemas.ts";
import { renderDocsPage } from "./docs_page.ts";
import { endpoints } from "./openapi_endpoints.ts";

export { type Endpoint, endpoints } from "./openapi_endpoints.ts";

const id = "a positive integer id";

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** Named schemas as OpenAPI components, with nested named schemas as `$ref`s. */
function components(named: Record<string, z.ZodType>, io: "input" | "output"): Record<string, JsonSchema> {
  const reg = z.registry<{ id: string }>();
  for (const [name, s] of Object.entries(named)) if (!reg.has(s)) reg.add(s, { id: name });
  const out = z.toJSONSchema(reg, { io, unrepresentable: "any", uri: (i) => `#/components/schemas/${i}` });
  const schemas: Record<string, JsonSchema> = {};
  for (const [name, s] of Object.entries(out.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as JsonSchema;
    schemas[name] = io === "output" ? allowNewFields(rest) : rest;
  }
  return schemas;
}

/** Responses may gain fields over time: clients should ignore unknown ones, so do not promise otherwise. */
function allowNewFields(s: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "additionalProperties" && v === false) continue;
    out[k] = Array.isArray(v)
      ? v.map((x) => (x && typeof x === "object" ? allowNewFields(x as JsonSchema) : x))
      : v && typeof v === "object"
      ? allowNewFields(v as JsonSchema)
      : v;
  }
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input or malformed JSON (nothing changed)",
  401: "No session, or it ended",
  403: "Not allowed (permission, read-only, blocked, archived, or a cross-site request)",
  404: "No such thing, or not visible to you",
  409: "Conflict with the current state",
  413: "Request body too large",
  429: "Too many requests or a locked account; see retryAfter",
};

/** Converts `/channels/:id` to `/channels/{id}`. */
export const openApiPath = (honoPath: string) => honoPath.replace(/:(\w+)/g, "{$1}");

/** Builds the OpenAPI 3.1 document. */
export function buildOpenApi(config: Config) {
  const list = endpoints(config);
  const responseNames = Object.fromEntries(
    Object.entries(R).filter(([, v]) => v instanceof z.ZodType),
  ) as Record<string, z.ZodType>;
  const nameOf = new Map([...Object.entries(responseNames)].map(([k, v]) => [v, k]));
  const inputs: Record<string, z.ZodType> = {
    ...Object.fromEntries(list.filter((x) => x.body).map((x) => x.body!)),
    SsoClaims,
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const ep of list) {
    const parameters: unknown[] = [];
    for (const [, name] of ep.path.matchAll(/:(\w+)/g)) {
      parameters.push({
        name,
        in: "path",
        required: true,
        description: name === "emoji" ? "the emoji, URL-encoded" : id,
        schema: name === "emoji" ? { type: "string", maxLength: 64 } : { type: "integer", minimum: 1 },
      });
    }
    for (const [name, s] of Object.entries(ep.query?.shape ?? {})) {
      const field = s as z.ZodType;
      parameters.push({
        name,
        in: "query",
        required: !field.safeParse(undefined).success,
        schema: jsonSchema(field, "input"),
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, description, body] of ep.ok) {
      const name = body ? nameOf.get(body) : undefined;
      if (body && !name) {
        throw new Error(`${ep.path}: response schema must be exported from response_schemas.ts`);
      }
      responses[String(status)] = {
        description,
        ...(name ? { content: { "application/json": { schema: ref(name) } } } : {}),
      };
    }
    const errors = new Set([
      ...(ep.body || ep.query || ep.path.includes(":") ? [400] : []),
      ...(ep.errors ?? []),
    ]);
    if (ep.auth) [401, 403].forEach((s) => errors.add(s));
    if (ep.path.startsWith("/api/auth/") && ep.method === "post") errors.add(403);
    for (const s of [...errors].sort()) {
      responses[String(s)] = {
        description: ERROR_TEXT[s] ?? "Error",
        content: { "application/json": { schema: ref("ErrorBody") } },
      };
    }
    (paths[openApiPath(ep.path)] ??= {})[ep.method] = {
      tags: [ep.tag],
      summary: ep.summary,
      ...(ep.description ? { description: ep.description } : {}),
      operationId: `${ep.method}${
        ep.path.replace(/^\/api/, "").replace(/:(\w)/g, (_, c) => "By" + c.toUpperCase())
          .replace(/[^a-zA-Z0-9]+(\w)?/g, (_, c) => (c ?? "").toUpperCase())
      }`,
      ...(ep.auth ? {} : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(ep.body
        ? { requestBody: { required: true, content: { "application/json": { schema: ref(ep.body[0]) } } } }
        : {}),
      ...(ep.rawBody
        ? {
          requestBody: {
            required: true,
            description: ep.rawBody,
            content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
          },
        }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Parley API",
      version: "1.0.0",
      description: "REST API of Parley, a self-hostable realtime chat. Authentication, CSRF rules, errors, " +
        "idempotent sends and pagination are explained in `docs/api.md`.",
    },
    servers: [{ url: "/" }],
    security: [{ cookieAuth: [] }, { bearerAuth: [] }],
    tags: [...new Set(list.map((x) => x.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        cookieAuth: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
        bearerAuth: { type: "http", scheme: "bearer" },
      },
      schemas: { ...components(responseNames, "output"), ...components(inputs, "input") },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApi>;

/** `GET /openapi.json` and `GET /docs`, mounted under `/api`. */
export function openapiRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  let doc: OpenApiDocument | null = null;
  let page: Promise<string> | null = null;
  const document = () => (doc ??= buildOpenApi(deps.config));
  app.get("/openapi.json", (c) => c.json(document()));
  app.get("/docs", async (c) => {
    page ??= renderDocsPage(document());
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    return c.html(await page);
  });
  return app;
}
