/** The admin console's endpoints for the OpenAPI document (`openapi_endpoints.ts` lists them with the rest). */
import { AuditQuery } from "../../domain/admin/audit.ts";
import {
  AcceptInviteInput,
  CreatePersonInput,
  PeopleQuery,
  ReasonInput,
  RoleChangeInput,
  SetPasswordInput,
} from "../../domain/admin/people.ts";
import { ChannelsQuery, DeleteChannelInput, MembersQuery, OwnerInput } from "../../domain/admin/channels.ts";
import { BroadcastInput, MaintenanceInput } from "../../domain/admin/control.ts";
import { AnalyticsExportQuery, AnalyticsQuery } from "../../domain/admin/analytics.ts";
import { MonitorExportQuery, MonitorQuery } from "../../domain/admin/monitor.ts";
import { LegalHoldInput, RetentionRunInput } from "../../domain/admin/retention.ts";
import { PurgeDryRunInput, PurgeInput } from "../../domain/admin/purge.ts";
import type { Endpoint, Method } from "./openapi_endpoints.ts";
import * as R from "./response_schemas.ts";
import * as A from "./admin_response_schemas.ts";

type E = (
  method: Method,
  path: string,
  tag: string,
  summary: string,
  rest: Omit<Endpoint, "method" | "path" | "tag" | "summary" | "auth"> & { auth?: boolean },
) => Endpoint;

export function adminConsoleEndpoints(e: E): Endpoint[] {
  const a = "/api/admin";
  return [
    e("get", `${a}/dashboard`, "Admin", "Health and live figures", {
      description: "chat.admin_dashboard.",
      ok: [[200, "Figures", A.Dashboard]],
    }),
    e("get", `${a}/analytics`, "Admin", "Message volume, active people, channels, visitor chat figures", {
      description:
        "chat.view_analytics. Over the last `days` days (UTC): per day (messages, active people, " +
        "files), by ISO weekday and hour, the busiest channels, visitor waiting / first answer / length, " +
        "ratings by agent and team.",
      query: AnalyticsQuery,
      ok: [[200, "Figures", A.AnalyticsResponse]],
    }),
    e("get", `${a}/analytics/export`, "Admin", "One analytics chart as CSV", {
      description: "chat.view_analytics. `chart`: per_day, week_hours, busiest_channels, visitor, ratings.",
      query: AnalyticsExportQuery,
      ok: [[200, "text/csv", null]],
    }),
    e("get", `${a}/monitor`, "Admin", "Read any conversation: messages filtered, newest first", {
      description:
        "chat.monitor_all. Filters: channel, person, date range, text. Page older with `before`, " +
        "poll newer with `after`. Every read without `after` is audited (`monitor_read`).",
      query: MonitorQuery,
      ok: [[200, "Messages", A.MonitorResponse]],
      errors: [404],
    }),
    e("get", `${a}/monitor/export`, "Admin", "Export messages as CSV or JSON (streamed)", {
      description: "chat.monitor_all. The same filters, oldest first, streamed in pages (no size limit in " +
        "memory); `x-total-count` says how many rows come. Audited (`monitor_exported`).",
      query: MonitorExportQuery,
      ok: [[200, "text/csv or application/json", null]],
      errors: [404],
    }),
    e("get", `${a}/people`, "Admin", "People, searched and filtered, one page with counts", {
      description: "chat.manage_users.",
      query: PeopleQuery,
      ok: [[200, "A page of people", A.PeopleResponse]],
    }),
    e("post", `${a}/people`, "Admin", "Create a person, with a password or an invitation link", {
      description: "chat.manage_users; the role may not be above the caller's. Without `password` the " +
        "answer holds a one-time link (valid 7 days) where the person chooses one; with it, `link` is null.",
      body: ["CreatePersonInput", CreatePersonInput],
      ok: [[201, "Created", R.CreatedPersonResponse]],
      errors: [409],
    }),
    e("put", `${a}/people/:id/role`, "Admin", "Change a person's workspace role", {
      description:
        "chat.manage_users; only for people of lower rank, and never to a role above the caller's.",
      body: ["RoleChangeInput", RoleChangeInput],
      ok: [[200, "The profile", R.UserResponse]],
      errors: [404],
    }),
    e("post", `${a}/people/:id/deactivate`, "Admin", "Deactivate a person, with a reason", {
      description: "chat.manage_users, lower rank only. Sessions end; the reason goes to the audit log.",
      body: ["ReasonInput", ReasonInput],
      ok: [[200, "The profile", R.UserResponse]],
      errors: [404],
    }),
    e("post", `${a}/people/:id/reactivate`, "Admin", "Reactivate a person, with a reason", {
      description: "chat.manage_users, lower rank only.",
      body: ["ReasonInput", ReasonInput],
      ok: [[200, "The profile", R.UserResponse]],
      errors: [404],
    }),
    e("post", `${a}/people/:id/password`, "Admin", "Set a person's password", {
      description: "chat.manage_users, lower rank only (not yourself: PUT /api/chat/me/password). Their " +
        "sessions end and their sockets close. Audited as `password_set_by_admin`.",
      body: ["SetPasswordInput", SetPasswordInput],
      ok: [[200, "The profile", R.UserResponse]],
      errors: [404],
    }),
    e("post", `${a}/people/:id/password-reset`, "Admin", "End a person's sessions and make a reset link", {
      description: "chat.manage_users, lower rank only.",
      ok: [[200, "One-time link", A.LinkResponse]],
      errors: [404],
    }),
    e("post", `${a}/people/:id/sign-out`, "Admin", "Sign a person out everywhere", {
      description: "chat.manage_users, lower rank only. Their open tabs close within seconds.",
      ok: [[200, "Done", R.Ok]],
      errors: [404],
    }),
    e("get", `${a}/people/:id/tabs`, "Admin", "A person's open tabs", {
      description: "chat.manage_users.",
      ok: [[200, "Tabs", A.Tabs]],
      errors: [404],
    }),
    e("get", `${a}/channels`, "Admin", "Every public and private channel, one page", {
      description: "chat.manage_channels. Names, members and activity; no content.",
      query: ChannelsQuery,
      ok: [[200, "A page of channels", A.AdminChannelsResponse]],
    }),
    e("post", `${a}/channels/:id/archive`, "Admin", "Archive a channel", {
      description: "chat.manage_channels.",
      ok: [[200, "Archived", R.ChannelResponse]],
      errors: [404],
    }),
    e("post", `${a}/channels/:id/unarchive`, "Admin", "Unarchive a channel", {
      description: "chat.manage_channels.",
      ok: [[200, "Unarchived", R.ChannelResponse]],
      errors: [404],
    }),
    e("post", `${a}/channels/:id/delete`, "Admin", "Delete a channel and everything in it", {
      description: "chat.manage_channels. `confirm` must be the channel's name.",
      body: ["DeleteChannelInput", DeleteChannelInput],
      ok: [[200, "Deleted", R.Ok]],
      errors: [404],
    }),
    e(
      "get",
      `${a}/channels/:id/members`,
      "Admin",
      "A channel's members, owners first (for the owner picker)",
      {
        description:
          "chat.manage_channels. Up to 50, matching `q` in the username or name; names and channel " +
          "roles only.",
        query: MembersQuery,
        ok: [[200, "Members", R.AdminChannelMembers]],
        errors: [404],
      },
    ),
    e("put", `${a}/channels/:id/owners/:userId`, "Admin", "Make a member an owner of a channel, or not", {
      description: "chat.manage_channels. The person must be a member; `owner: false` makes an owner a " +
        "member again. Audited (`admin_channel_owner_changed`).",
      body: ["OwnerInput", OwnerInput],
      ok: [[200, "The channel as the console lists it", A.AdminChannelResponse]],
      errors: [404],
    }),
    e("put", `${a}/channels/:id/legal-hold`, "Admin", "Put a channel on legal hold, or lift it", {
      description: "chat.admin_dashboard. Retention never deletes messages of a channel on hold. Audited " +
        "(`legal_hold_on` / `legal_hold_off`, with the reason).",
      body: ["LegalHoldInput", LegalHoldInput],
      ok: [[200, "The new state", A.LegalHoldResponse]],
      errors: [404],
    }),
    e("get", `${a}/retention`, "Admin", "Retention period, channels on hold, recent runs", {
      description: "chat.admin_dashboard.",
      ok: [[200, "Overview", A.RetentionResponse]],
    }),
    e("post", `${a}/retention/run`, "Admin", "Run retention now (or a dry run that only counts)", {
      description: "chat.admin_dashboard. Deletes messages older than `messages.retention_days` (their " +
        "text, reactions and files) outside channels on legal hold, as a person's delete does; open pages " +
        "receive `message_deleted`. 400 while retention is off. Logged and audited with the counts.",
      body: ["RetentionRunInput", RetentionRunInput],
      ok: [[200, "The run", A.RetentionRunResponse]],
    }),
    e("get", `${a}/backup`, "Admin", "Download a consistent backup of the whole database (streamed)", {
      description: "chat.admin_dashboard. Postgres: `pg_dump --format=custom` (one snapshot; restore with " +
        "`pg_restore`); PGlite: the data directory as a gzipped tarball (restore with `deno task restore`). " +
        "`content-length` when the size is known, else `x-database-bytes` (the database's size) as a guide " +
        "for progress. 503 when pg_dump is missing. Audited (`backup_downloaded`).",
      ok: [[200, "application/gzip (PGlite) or application/octet-stream (pg_dump)", null]],
      errors: [503],
    }),
    e("post", `${a}/purge/dry-run`, "Admin", "What a purge of old data would delete, per kind", {
      description:
        "chat.admin_dashboard. Counts messages (outside channels on legal hold) and their files, " +
        "channel events replay no longer needs, ended visitor conversations and audit entries older than " +
        "`olderThanDays`. Deletes nothing; audited (`purge_dry_run`).",
      body: ["PurgeDryRunInput", PurgeDryRunInput],
      ok: [[200, "Counts per kind", A.PurgeDryRunResponse]],
    }),
    e("post", `${a}/purge`, "Admin", "Purge old data (streamed progress)", {
      description: "chat.admin_dashboard. `confirm` must be the word `purge`. Answers NDJSON: " +
        "`{cutoff, totals}`, then `{kind, done, total}` per batch, then `{finished: true, counts}`. Messages " +
        "go through retention's delete path; channels on legal hold keep theirs. Runs to the end even if " +
        "the client leaves; audited (`purge`) with what went. 409 while another purge of the workspace runs.",
      body: ["PurgeInput", PurgeInput],
      ok: [[200, "application/x-ndjson", null]],
      errors: [409],
    }),
    e("get", `${a}/audit`, "Admin", "The audit log, filtered, newest first", {
      description: "chat.admin_dashboard. Page with `before` (the last id seen).",
      query: AuditQuery,
      ok: [[200, "Entries", A.AuditResponse]],
    }),
    e("get", `${a}/audit/export`, "Admin", "The filtered audit log as CSV (streamed)", {
      description: "chat.admin_dashboard. The export itself is audited.",
      query: AuditQuery,
      ok: [[200, "text/csv", null]],
    }),
    e("put", `${a}/maintenance`, "Admin", "Turn maintenance mode on or off", {
      description: "chat.admin_dashboard. Open pages show the banner (or lose it) within seconds; " +
        "everyone but administrators is refused sends (503 maintenance) while it is on.",
      body: ["MaintenanceInput", MaintenanceInput],
      ok: [[200, "The new state", A.MaintenanceResponse]],
    }),
    e("post", `${a}/sign-out-everyone`, "Admin", "End every session in the workspace but the caller's", {
      description: "chat.admin_dashboard. Every open tab closes within seconds.",
      ok: [[200, "Sessions ended", A.SignOutEveryoneResponse]],
    }),
    e("get", `${a}/broadcasts`, "Admin", "Recent system broadcasts", {
      description: "chat.system_broadcast.",
      ok: [[200, "Broadcasts", A.BroadcastsResponse]],
    }),
    e("post", `${a}/broadcasts`, "Admin", "Send a system broadcast", {
      description: "chat.system_broadcast. Every open page shows it as a banner until acknowledged.",
      body: ["BroadcastInput", BroadcastInput],
      ok: [[201, "Sent", A.BroadcastResponse]],
    }),
    e("get", `${a}/broadcasts/:id`, "Admin", "Who has and has not acknowledged a broadcast", {
      description: "chat.system_broadcast.",
      ok: [[200, "Report", A.Report]],
      errors: [404],
    }),
    e("post", `${a}/broadcasts/:id/end`, "Admin", "End a broadcast (no longer shown)", {
      description: "chat.system_broadcast.",
      ok: [[200, "Report", A.Report]],
      errors: [404],
    }),
    e("get", "/api/broadcasts/pending", "Broadcasts", "Broadcasts the caller has not acknowledged", {
      ok: [[200, "Broadcasts", A.BroadcastsResponse]],
    }),
    e("post", "/api/broadcasts/:id/ack", "Broadcasts", "Acknowledge a broadcast", {
      ok: [[200, "Done", R.Ok]],
      errors: [404],
    }),
    e("post", "/api/invitations/accept", "Auth", "Choose a password from an invitation or reset link", {
      auth: false,
      description: "The link's token is the credential; it works once and for 7 days.",
      body: ["AcceptInviteInput", AcceptInviteInput],
      ok: [[200, "Password set; sign in", R.Ok]],
    }),
  ];
}
