/**
 * The audit log: every administrative and security-relevant action, with who, what, target, when and from
 * where. Admin actions write it in their own transaction (`record`); the console reads it paged, filtered
 * and exported (`search`, `exportCsv`).
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import * as auditRepo from "../../db/repos/audit.ts";
import * as sessionsRepo from "../../db/repos/sessions.ts";
import type { Actor, Deps } from "../deps.ts";
import { requirePermission } from "../access.ts";
import { parse } from "../validate.ts";

/** Where a request came from (the client address as the routes resolve it). */
export interface RequestCtx {
  ip: string;
  /** The origin the request came to, for links in mail when PUBLIC_URL is not set. */
  origin?: string;
}

export async function record(
  sql: Sql,
  actor: Actor,
  ctx: RequestCtx,
  action: string,
  target: string | number = "",
  detail: unknown = {},
) {
  await sessionsRepo.audit(sql, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action,
    target: String(target),
    detail,
    ip: ctx.ip,
  });
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, "a date as YYYY-MM-DD");
export const AuditQuery = z.object({
  q: z.string().trim().max(100).optional(),
  action: z.string().trim().max(60).optional(),
  actorId: z.coerce.number().int().positive().max(2 ** 53).optional(),
  from: day.optional(),
  to: day.optional(),
  before: z.coerce.number().int().positive().max(2 ** 53).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}).strict();

const clean = (p: z.output<typeof AuditQuery>): auditRepo.AuditFilter => ({
  q: p.q || undefined,
  action: p.action || undefined,
  actorId: p.actorId,
  from: p.from,
  to: p.to,
});

export async function search(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.admin_dashboard");
  const p = parse(AuditQuery, input);
  const f = clean(p);
  const [entries, total, actions] = await Promise.all([
    auditRepo.page(deps.db, actor.workspaceId, f, p.limit, p.before),
    auditRepo.count(deps.db, actor.workspaceId, f),
    auditRepo.actions(deps.db, actor.workspaceId),
  ]);
  return { entries, total, actions };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  // A leading = + - @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};
export const csvLine = (cells: unknown[]) => cells.map(csvCell).join(",") + "\r\n";

/** The filtered log as CSV, read page by page (memory stays bounded however long the log is). */
export async function exportCsv(deps: Deps, actor: Actor, ctx: RequestCtx, input: unknown) {
  requirePermission(actor, "chat.admin_dashboard");
  const p = parse(AuditQuery, input);
  const f = clean(p);
  await record(deps.db, actor, ctx, "audit_exported", "", f);
  const enc = new TextEncoder();
  let before: number | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (!started) {
        started = true;
        ctl.enqueue(enc.encode(csvLine(["id", "when", "who", "action", "target", "detail", "from"])));
      }
      const rows = await auditRepo.page(deps.db, actor.workspaceId, f, 500, before);
      if (!rows.length) return ctl.close();
      before = rows[rows.length - 1].id;
      ctl.enqueue(enc.encode(
        rows.map((r) => csvLine([r.id, r.createdAt, r.actor ?? "", r.action, r.target, r.detail, r.ip])).join(
          "",
        ),
      ));
    },
  });
}
