/**
 * The readable API docs page (`GET /api/docs`): the OpenAPI document rendered on the server as plain HTML,
 * endpoints grouped by tag with their parameters, bodies and responses, then every schema as a field table.
 * No scripts and nothing loaded from elsewhere.
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { OpenApiDocument } from "./openapi.ts";

type Schema = Record<string, unknown>;
type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const refName = (s: Schema) => typeof s.$ref === "string" ? s.$ref.split("/").pop()! : null;

/** A short human description of a schema's type and limits, with links to named schemas. */
function typeOf(s: Schema): Html {
  const name = refName(s);
  if (name) return html`<a href="#schema-${name}">${name}</a>`;
  if (Array.isArray(s.anyOf)) {
    return html`${(s.anyOf as Schema[]).map((x, i) => html`${i ? " or " : ""}${typeOf(x)}`)}`;
  }
  if (s.const !== undefined) return html`<code>${JSON.stringify(s.const)}</code>`;
  if (Array.isArray(s.enum)) {
    return html`one of ${s.enum.map((v, i) => html`${i ? ", " : ""}<code>${v}</code>`)}`;
  }
  if (s.type === "array") return html`array of ${typeOf((s.items ?? {}) as Schema)}${limits(s)}`;
  if (s.type === "object" && !s.properties) return html`object`;
  if (s.type === "object") return fieldTable(s);
  return html`${String(s.type ?? "any")}${limits(s)}`;
}

function limits(s: Schema): string {
  const out: string[] = [];
  if (s.minLength !== undefined) out.push(`≥ ${s.minLength} chars`);
  if (s.maxLength !== undefined) out.push(`≤ ${s.maxLength} chars`);
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined && (s.maximum as number) < Number.MAX_SAFE_INTEGER) out.push(`≤ ${s.maximum}`);
  if (s.minItems !== undefined) out.push(`≥ ${s.minItems} items`);
  if (s.maxItems !== undefined) out.push(`≤ ${s.maxItems} items`);
  if (s.pattern !== undefined) out.push(`pattern ${s.pattern}`);
  if (s.format !== undefined) out.push(String(s.format));
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out.length ? ` (${out.join(", ")})` : "";
}

function fieldTable(s: Schema): Html {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set((s.required ?? []) as string[]);
  if (!Object.keys(props).length) return html`object`;
  return html`<table>
    <tr><th>Field</th><th>Type</th><th>Required</th><th>Notes</th></tr>
    ${
    Object.entries(props).map(([k, v]) =>
      html`
        <tr>
          <td><code>${k}</code></td>
          <td>${typeOf(v)}</td>
          <td>${required.has(k) ? "yes" : ""}</td>
          <td>${String(v.description ?? "")}</td>
        </tr>
      `
    )
  }
  </table>`;
}

interface Operation {
  tags: string[];
  summary: string;
  description?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: Schema }[];
  requestBody?: { content: { "application/json"?: { schema: Schema } } };
  responses: Record<string, { description: string; content?: { "application/json": { schema: Schema } } }>;
}

/** Text with `code` spans, escaped. */
function prose(text: string): Html {
  return html`${text.split("`").map((part, i) => (i % 2 ? html`<code>${part}</code>` : html`${part}`))}`;
}

function operation(method: string, path: string, op: Operation, schemas: Record<string, Schema>): Html {
  const anchor = `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, "-");
  const body = op.requestBody?.content["application/json"]?.schema;
  return html`<section class="op" id="${anchor}">
    <h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${path}</code></h3>
    <p><b>${op.summary}</b>${op.security ? " · no session needed" : " · needs a session"}</p>
    ${op.description ? html`<p>${prose(op.description)}</p>` : ""}
    ${
    op.parameters?.length
      ? html`
        <h4>Parameters</h4>
        <table><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th></tr>
                ${op.parameters.map((p) =>
                  html`
                    <tr>
                      <td><code>${p.name}</code></td>
                      <td>${p.in}</td>
                      <td>${typeOf(p.schema)}${p.description ? ` — ${p.description}` : ""}</td>
                      <td>${p.required ? "yes" : ""}</td>
                    </tr>
                  `
                )}</table>
      `
      : ""
  }
    ${
    body
      ? html`
        <h4>Request body (JSON): ${typeOf(body)}</h4>
        ${fieldTable(schemas[refName(body) ?? ""] ?? body)}
      `
      : ""
  }
    <h4>Responses</h4>
    <ul>${
    Object.entries(op.responses).map(([status, r]) => {
      const s = r.content?.["application/json"].schema;
      return html`<li><code>${status}</code> ${r.description}${
        s
          ? html`
            — ${typeOf(s)}
          `
          : ""
      }</li>`;
    })
  }</ul>
  </section>`;
}

const STYLE =
  `body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
code{font:13px ui-monospace,monospace;background:#f2f2f5;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;margin:.5rem 0;width:100%}td,th{border:1px solid #ddd;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f7f7f9}.op{border-top:1px solid #ddd;padding:.5rem 0}
.m{display:inline-block;min-width:4.2em;text-align:center;color:#fff;border-radius:4px;font-size:13px;
padding:.1em .4em}.get{background:#2f6fdb}.post{background:#1f8a4c}.patch,.put{background:#b26a00}
.delete{background:#c0392b}nav a{margin-right:1rem}h4{margin:.5rem 0 .25rem}`;

/** Renders the whole page from the OpenAPI document. */
export async function renderDocsPage(doc: OpenApiDocument): Promise<string> {
  const ops: [string, string, Operation][] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) ops.push([method, path, op as Operation]);
  }
  const tags = doc.tags.map((t) => t.name);
  const page = html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <title>${doc.info.title}</title>
        <style>${raw(STYLE)}</style>
      </head>
      <body>
    <h1>${doc.info.title}</h1>
    <p>${prose(doc.info.description)}</p>
    <p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${doc.openapi}).
    Authenticate with the <code>parley_session</code> cookie (browsers; writes must come from an allowed Origin)
    or <code>Authorization: Bearer &lt;token&gt;</code> from <code>POST /api/auth/login</code>.
    Errors are <code>{"error":{"code","message"}}</code>.</p>
    <nav>${tags.map((t) =>
      html`<a href="#tag-${t.replace(/\W+/g, "-")}">${t}</a>`
    )}<a href="#schemas">Schemas</a></nav>
    ${tags.map((t) =>
      html`<h2 id="tag-${t.replace(/\W+/g, "-")}">${t}</h2>${
        ops.filter(([, , op]) => op.tags[0] === t).map(([m, p, op]) =>
          operation(m, p, op, doc.components.schemas)
        )
      }`
    )}
    <h2 id="schemas">Schemas</h2>
    ${Object.entries(doc.components.schemas).map(([name, s]) =>
      html`<section id="schema-${name}"><h3>${name}</h3>${fieldTable(s)}</section>`
    )}
      </body>
    </html>
  `;
  return (await page).toString().trim();
}
