/**
 * Analytics (chat.view_analytics) and the dashboard's charts: message volume by day and by hour of the
 * week, active people, busiest channels, files shared, and for visitor chat waiting time, time to first
 * answer, chat length and ratings by agent and team. Every chart is also a CSV (`csv`), so each chart in
 * the console has a download and a table alternative.
 */
import { z } from "zod";
import * as analyticsRepo from "../../db/repos/analytics.ts";
import type { Actor, Deps } from "../deps.ts";
import { requirePermission } from "../access.ts";
import { parse } from "../validate.ts";
import { csvLine } from "./audit.ts";

export const AnalyticsQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30),
}).strict();
export const CHARTS = ["per_day", "week_hours", "busiest_channels", "visitor", "ratings"] as const;
export const AnalyticsExportQuery = AnalyticsQuery.extend({ chart: z.enum(CHARTS) }).strict();

export async function analytics(deps: Deps, actor: Actor, input: unknown) {
  requirePermission(actor, "chat.view_analytics");
  const { days } = parse(AnalyticsQuery, input);
  const now = deps.now().toISOString();
  const ws = actor.workspaceId;
  const [perDay, weekHours, busiestChannels, visitor, ratings] = await Promise.all([
    analyticsRepo.perDay(deps.db, ws, days, now),
    analyticsRepo.byWeekHour(deps.db, ws, days, now),
    analyticsRepo.busiestChannels(deps.db, ws, days, now),
    analyticsRepo.visitorFigures(deps.db, ws, days, now),
    analyticsRepo.ratingsByAgent(deps.db, ws, days, now),
  ]);
  return { days, perDay, weekHours, busiestChannels, visitor, ratings };
}

/** The dashboard's two series: messages per hour (24 hours) and per day (30 days). */
export async function dashboardSeries(deps: Deps, workspaceId: number) {
  const now = deps.now().toISOString();
  const [perHour, perDay] = await Promise.all([
    analyticsRepo.perHour(deps.db, workspaceId, now),
    analyticsRepo.perDay(deps.db, workspaceId, 30, now),
  ]);
  return { perHour, perDay: perDay.map((d) => ({ day: d.day, messages: d.messages })) };
}

/** One chart's data as CSV (a header line, then rows). */
export async function csv(deps: Deps, actor: Actor, input: unknown): Promise<{ name: string; body: string }> {
  const { chart, days } = parse(AnalyticsExportQuery, input);
  const a = await analytics(deps, actor, { days });
  const table: unknown[][] = (() => {
    switch (chart) {
      case "per_day":
        return [
          ["day", "messages", "active_people", "files"],
          ...a.perDay.map((d) => [
            d.day,
            d.messages,
            d.activePeople,
            d.files,
          ]),
        ];
      case "week_hours":
        return [
          ["iso_day_of_week", "hour_utc", "messages"],
          ...a.weekHours.map((r) => [r.dow, r.hour, r.messages]),
        ];
      case "busiest_channels":
        return [["channel", "messages"], ...a.busiestChannels.map((c) => [c.name, c.messages])];
      case "visitor": {
        const v = a.visitor;
        return [
          [
            "chats",
            "answered",
            "average_wait_seconds",
            "average_first_answer_seconds",
            "average_length_seconds",
          ],
          [v.chats, v.answered, v.waitSeconds, v.firstAnswerSeconds, v.lengthSeconds],
        ];
      }
      case "ratings":
        return [
          ["agent", "team", "scale", "ratings", "average"],
          ...a.ratings.map((r) => [
            r.agent,
            r.team,
            r.scale,
            r.ratings,
            r.average,
          ]),
        ];
    }
  })();
  return { name: `${chart}-${days}d.csv`, body: table.map(csvLine).join("") };
}
