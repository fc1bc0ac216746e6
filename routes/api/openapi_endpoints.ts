/**
 * Every endpoint of the REST API with the schemas it validates with: the table `openapi.ts` turns into the
 * OpenAPI document. A test checks that it lists exactly the routes the app registers.
 */
import type { z } from "zod";
import type { Config } from "../../config.ts";
import { LoginInput, SsoInput } from "../../domain/auth.ts";
import {
  BrowseInput,
  CreateChannelInput,
  DirectInput,
  GroupInput,
  UpdateChannelInput,
} from "../../domain/channels.ts";
import { AddMembersInput, RoleInput } from "../../domain/members.ts";
import { editSchema, HistoryInput, ReactionInput, ReadInput, sendFields } from "../../domain/messages.ts";
import { SearchQueryInput } from "../../domain/search.ts";
import { FilesPageInput, FileVariantInput, UploadQuery } from "../../domain/files.ts";
import { SearchInput, StatusInput } from "../../domain/users.ts";
import { ChangePasswordInput } from "../../domain/accounts.ts";
import { SettingsPatch } from "../../domain/settings/workspace.ts";
import { PreferencesPatch } from "../../domain/preferences/user.ts";
import { SESSION_COOKIE } from "../env.ts";
import { TicketInput } from "../../domain/embed.ts";
import * as R from "./response_schemas.ts";
import { visitorEndpoints } from "../visitor/openapi.ts";
import { adminConsoleEndpoints } from "./admin_endpoints.ts";
import { adminRolesEndpoints } from "./admin_roles.ts";
import { notificationEndpoints } from "./openapi_notifications.ts";
import { callEndpoints } from "./call_endpoints.ts";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** One documented endpoint. `path` uses Hono's syntax (`/channels/:id`), exactly as the route is registered. */
export interface Endpoint {
  method: Method;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Needs a session (cookie or bearer). Cookie-authenticated writes are also Origin-checked. */
  auth: boolean;
  query?: z.ZodObject;
  /** The request body schema and its component name. */
  body?: [string, z.ZodType];
  /** A raw (not JSON) request body: its description (file uploads). */
  rawBody?: string;
  /** Success responses: status, description, body (a component of `response_schemas.ts`, or none). */
  ok: [number, string, z.ZodType | null][];
  /** Error statuses worth listing besides 400 for bad input and 401/403 for auth. */
  errors?: number[];
}

/** Every endpoint of the API. A test checks that this lists every route the app registers. */
export function endpoints(config: Config): Endpoint[] {
  const max = config.limits.messageChars;
  const e = (
    method: Method,
    path: string,
    tag: string,
    summary: string,
    rest: Omit<Endpoint, "method" | "path" | "tag" | "summary" | "auth"> & { auth?: boolean },
  ): Endpoint => ({ method, path, tag, summary, auth: true, ...rest });
  const chat = "/api/chat";
  const ch = `${chat}/channels/:id`;
  const msg = `${chat}/messages/:id`;
  return [
    e("get", "/healthz", "Meta", "Liveness and database check", { auth: false, ok: [[200, "Up", R.Health]] }),
    e("get", "/api/openapi.json", "Meta", "This OpenAPI 3.1 document", {
      auth: false,
      ok: [[200, "The document", null]],
    }),
    e("get", "/api/docs", "Meta", "Readable API documentation (HTML)", {
      auth: false,
      ok: [[200, "HTML page", null]],
    }),

    e("post", "/api/auth/login", "Auth", "Sign in with username and password", {
      auth: false,
      description:
        `Sets the HttpOnly, SameSite=Lax \`${SESSION_COOKIE}\` cookie and returns a bearer token. ` +
        "Five failures in 30 minutes lock the account for the rest of the window (429 with `retryAfter` " +
        "and `lockedUntil`). Browser requests must come from an allowed Origin.",
      body: ["LoginInput", LoginInput],
      ok: [[200, "Signed in", R.Session]],
      errors: [401, 429],
    }),
    e("post", "/api/auth/sso", "Auth", "Exchange a host application's JWT for a session", {
      auth: false,
      description: "The host signs a short-lived JWT (HS256 with the shared secret SSO_JWT_SECRET, or " +
        "RS256/ES256 verifiable with the JWKS at SSO_JWKS_URL); `alg: none`, other algorithms, expired " +
        "tokens and tokens living longer than SSO_MAX_LIFETIME_SECONDS are refused with 401. The user is " +
        "created or updated from the claims on every exchange; the claims it reads are the SsoClaims schema " +
        "(plus `exp`, required, and `iat`, `iss`, `aud`).",
      body: ["SsoInput", SsoInput],
      ok: [[200, "Signed in", R.Session]],
      errors: [401],
    }),
    e("post", "/api/auth/embed", "Auth", "Exchange a host application's JWT for an embed session (CORS)", {
      auth: false,
      description: "For the staff widget on a host application's origin (docs/widget.md). Called over CORS " +
        "from an origin on the workspace's `widget.host_origins` list (preflights from other origins get " +
        "403); the JWT is checked as for `/api/auth/sso` and must name a workspace whose list has the " +
        "calling origin. Answers a bearer token that lives 15 minutes, works only from that origin and " +
        "sets no cookie. Sent with the current embed token as `Authorization: Bearer`, a fresh JWT of the " +
        "same person extends that session instead (the token stays the same).",
      body: ["SsoInput", SsoInput],
      ok: [[200, "Signed in (or extended)", R.EmbedSessionResponse]],
      errors: [401, 403],
    }),
    e("post", "/api/auth/tickets", "Auth", "A single-use ticket for this session", {
      description: "`socket`: opens `/api/chat/ws?ticket=…` from the origin it was issued to (browsers " +
        "cannot put a header on a WebSocket). `open`: `/embed/open?ticket=…&next=/chat/…` on Parley's " +
        "origin, which after a confirmation becomes an ordinary cookie session there. Valid 60 seconds.",
      body: ["TicketInput", TicketInput],
      ok: [[201, "The ticket", R.TicketResponse]],
    }),
    e("post", "/api/auth/logout", "Auth", "End this session", {
      description: "The token and cookie stop working at once, on every instance; open sockets are closed.",
      ok: [[200, "Signed out", R.Ok]],
    }),
    e("get", "/api/auth/me", "Auth", "The signed-in user with their permissions", {
      ok: [[200, "The user", R.MeResponse]],
    }),

    e("get", `${chat}/channels`, "Channels", "Channels, DMs and groups I am a member of", {
      description: "With unread and mention counts and smart names for DMs and groups.",
      ok: [[200, "My conversations", R.ChannelsResponse]],
    }),
    e("get", `${chat}/channels/browse`, "Channels", "Browse and search public channels", {
      query: BrowseInput,
      ok: [[200, "Public channels", R.ChannelsResponse]],
    }),
    e("post", `${chat}/channels`, "Channels", "Create a channel", {
      description: "Needs chat.create_channels (and chat.access_private for a private channel). " +
        "The creator becomes its owner.",
      body: ["CreateChannelInput", CreateChannelInput],
      ok: [[201, "Created", R.ChannelResponse]],
      errors: [409],
    }),
    e("get", ch, "Channels", "One channel", {
      description: "Private channels, DMs and groups are 404 for non-members.",
      ok: [[200, "The channel", R.ChannelResponse]],
      errors: [404],
    }),
    e("patch", ch, "Channels", "Change name, description, read-only, posting, archived", {
      description: "Channel owners and admins, or chat.manage_channels holders.",
      body: ["UpdateChannelInput", UpdateChannelInput],
      ok: [[200, "Updated", R.ChannelResponse]],
      errors: [404, 409],
    }),
    e("post", `${ch}/archive`, "Channels", "Archive (read-only, still readable and searchable)", {
      ok: [[200, "Archived", R.ChannelResponse]],
      errors: [404],
    }),
    e("post", `${ch}/unarchive`, "Channels", "Unarchive", {
      ok: [[200, "Unarchived", R.ChannelResponse]],
      errors: [404],
    }),
    e("delete", ch, "Channels", "Delete a channel and its history", {
      description: "chat.manage_channels only; others archive.",
      ok: [[200, "Deleted", R.Ok]],
      errors: [404],
    }),
    e("post", `${ch}/join`, "Channels", "Join a public channel", {
      ok: [[200, "Joined", R.ChannelResponse]],
      errors: [404],
    }),
    e("post", `${ch}/leave`, "Channels", "Leave a channel or group", {
      ok: [[200, "Left", R.Ok]],
      errors: [404],
    }),

    e("get", `${ch}/members`, "Members", "Members with roles and posting state", {
      ok: [[200, "Members", R.MembersResponse]],
      errors: [404],
    }),
    e("post", `${ch}/members`, "Members", "Add members", {
      description: "Channel moderators for channels; any member for groups.",
      body: ["AddMembersInput", AddMembersInput],
      ok: [[200, "Members after the change", R.MembersResponse]],
      errors: [404],
    }),
    e("delete", `${ch}/members/:userId`, "Members", "Remove a member (or yourself)", {
      ok: [[200, "Removed", R.Ok]],
      errors: [404],
    }),
    e("patch", `${ch}/members/:userId`, "Members", "Change a member's channel role", {
      body: ["RoleInput", RoleInput],
      ok: [[200, "Members after the change", R.MembersResponse]],
      errors: [404],
    }),
    e("post", `${ch}/members/:userId/block`, "Members", "Block a member from posting", {
      ok: [[200, "Members after the change", R.MembersResponse]],
      errors: [404],
    }),
    e("post", `${ch}/members/:userId/unblock`, "Members", "Allow a blocked member to post again", {
      ok: [[200, "Members after the change", R.MembersResponse]],
      errors: [404],
    }),

    e("post", `${chat}/direct`, "Direct messages", "Open the direct message with someone", {
      description: "Creates the one DM between the two people, or returns it when it exists.",
      body: ["DirectInput", DirectInput],
      ok: [[200, "The DM", R.ChannelResponse]],
    }),
    e("post", `${chat}/groups`, "Direct messages", "Start a group of three or more people", {
      body: ["GroupInput", GroupInput],
      ok: [[201, "Created", R.ChannelResponse]],
    }),

    e("get", `${ch}/messages`, "Messages", "History, one page of top-level messages", {
      description: "Newest page by default; `before` = older than that message id, `after` = newer, " +
        "`around` = a page centred on it. Follow `olderCursor`/`newerCursor`.",
      query: HistoryInput,
      ok: [[200, "A page, oldest first", R.HistoryPage]],
      errors: [404],
    }),
    e("post", `${ch}/messages`, "Messages", "Send a message (idempotent per clientId)", {
      description: `At most ${max} characters. Sending the same \`clientId\` again returns the stored ` +
        "message with 200 instead of storing it twice; the same `clientId` with different content is 409. " +
        "Read-only channels accept posts from moderators only; blocked members and archived channels " +
        "refuse posts (403).",
      body: ["SendMessageInput", sendFields(max).omit({ channelId: true })],
      ok: [[201, "Stored", R.MessageResponse], [
        200,
        "A retry: the message stored before",
        R.MessageResponse,
      ]],
      errors: [404, 409, 429],
    }),
    e("post", `${ch}/read`, "Messages", "Move my read position forward", {
      body: ["ReadInput", ReadInput],
      ok: [[200, "My read position", R.ReadResponse]],
      errors: [404],
    }),
    e("get", msg, "Messages", "One message", {
      ok: [[200, "The message", R.MessageResponse]],
      errors: [404],
    }),
    e("patch", msg, "Messages", "Edit my message", {
      description: "Authors only, within the workspace's edit window (3 minutes by default).",
      body: ["EditMessageInput", editSchema(max)],
      ok: [[200, "Edited", R.MessageResponse]],
      errors: [404, 409],
    }),
    e("delete", msg, "Messages", "Delete a message (leaves a placeholder)", {
      description: "Authors within the edit window; channel moderators and chat.delete_messages holders " +
        "at any time.",
      ok: [[200, "Deleted", R.Ok]],
      errors: [404],
    }),
    e("get", `${msg}/thread`, "Messages", "A thread: the first message and its replies", {
      ok: [[200, "The thread", R.Thread]],
      errors: [404],
    }),
    e("post", `${msg}/reactions`, "Messages", "Add a reaction (once per person and emoji)", {
      body: ["ReactionInput", ReactionInput],
      ok: [[200, "The message with its reactions", R.MessageResponse]],
      errors: [404, 409],
    }),
    e("delete", `${msg}/reactions/:emoji`, "Messages", "Remove my reaction", {
      ok: [[200, "The message with its reactions", R.MessageResponse]],
      errors: [404],
    }),

    e("post", `${ch}/files`, "Files", "Upload a file for a message to be sent", {
      description: "The request body is the file itself (any Content-Type; it is ignored) with its " +
        "Content-Length; `name` is its file name. The type is decided from the content (magic bytes): " +
        "types outside the workspace's allow-list are 415, files over `files.max_bytes` 413, a missing " +
        "length 411. Images are re-encoded without metadata (no EXIF location) and get a thumbnail. Send " +
        "the returned id in `attachments` of the message; files not sent within an hour are removed.",
      query: UploadQuery,
      rawBody: "The file's bytes",
      ok: [[201, "Stored, not yet visible to others", R.FileResponse]],
      errors: [404, 411, 413, 415],
    }),
    e("get", `${ch}/files`, "Files", "Files shared in a conversation, newest first", {
      query: FilesPageInput,
      ok: [[200, "The files", R.FilesResponse]],
      errors: [404],
    }),
    e("get", `${chat}/files/:id`, "Files", "A file's bytes (or its thumbnail)", {
      description: "Only for people who may read the conversation now (the uploader alone before it is " +
        "sent); 404 otherwise and once its message is deleted. Images, audio and video are inline, " +
        "everything else `Content-Disposition: attachment`; always `nosniff` and a sandboxing CSP. " +
        "Supports `Range: bytes=a-b` (206).",
      query: FileVariantInput,
      ok: [[200, "The bytes", null], [206, "The requested range", null]],
      errors: [404, 416],
    }),
    e("delete", `${chat}/files/:id`, "Files", "Cancel an upload that was not sent", {
      ok: [[200, "Removed", R.Ok]],
      errors: [404],
    }),
    e("get", `${chat}/search`, "Search", "Search messages, files, people and channels", {
      description: '`q` takes words, "quoted phrases", -excluded words and the filters in:#channel, ' +
        "in:@person, from:@person, has:file, has:link, before:/after:/on:YYYY-MM-DD. Only conversations " +
        "you are a member of are searched; `scope=all` (chat.monitor_all only, audited) searches every " +
        "conversation of the workspace.",
      query: SearchQueryInput,
      ok: [[200, "Results grouped by kind", R.SearchResponse]],
    }),
    e("get", `${chat}/users`, "Users", "Search people in my workspace", {
      query: SearchInput,
      ok: [[200, "Matching people", R.UsersResponse]],
    }),
    e("get", `${chat}/users/:id`, "Users", "A profile", {
      ok: [[200, "The profile", R.UserResponse]],
      errors: [404],
    }),
    e("get", `${chat}/presence`, "Users", "Everyone's presence in my workspace", {
      description:
        "A snapshot of everyone; over the WebSocket a socket follows chosen people (presence_sub) and gets their presence_updated events.",
      ok: [[200, "Presence of every active person", R.PresenceResponse]],
    }),
    e("get", `${chat}/settings`, "Users", "The workspace settings pages use", {
      ok: [[200, "Public settings", R.PublicSettingsResponse]],
    }),
    e("get", `${chat}/me/preferences`, "Users", "My preferences", {
      description: "Resolved: my own choice, else the workspace default, else the built-in default.",
      ok: [[200, "Preferences and what the workspace allows", R.PreferencesResponse]],
    }),
    e("patch", `${chat}/me/preferences`, "Users", "Change my preferences", {
      description: "All or nothing; `null` follows the workspace default again; a theme the workspace " +
        "does not offer is refused. My other tabs and browsers receive `preferences_updated`. The " +
        "WebSocket action `update_preferences` does the same.",
      body: ["PreferencesPatch", PreferencesPatch],
      ok: [[200, "Preferences after the change", R.PreferencesResponse]],
    }),
    e("put", `${chat}/me/password`, "Users", "Change my password", {
      description: "With the current password (`wrong_password` when it is not; `no_password` for " +
        "single sign-on accounts). My other sessions end; this one stays.",
      body: ["ChangePasswordInput", ChangePasswordInput],
      ok: [[200, "Changed", R.Ok]],
      errors: [429],
    }),
    e("put", `${chat}/me/status`, "Users", "Set my status, status text and away message", {
      body: ["StatusInput", StatusInput],
      ok: [[200, "My profile", R.UserResponse]],
    }),

    e("get", "/api/admin/connections", "Admin", "Live connections and the page each is on", {
      description: "chat.admin_dashboard.",
      ok: [[200, "Connections", R.ConnectionsResponse]],
    }),
    e("get", "/api/admin/settings", "Admin", "Workspace settings with their definitions", {
      description: "For holders of a permission that changes at least one setting (chat.admin_dashboard, " +
        "chat.customize_widget). Every key, its value, and its definition from the registry " +
        "(docs/settings.md).",
      ok: [[200, "Values and definitions", R.SettingsAdminResponse]],
    }),
    e("patch", "/api/admin/settings", "Admin", "Change workspace settings", {
      description: "All or nothing. Each key needs the permission its definition names (widget.*: " +
        "chat.customize_widget, the rest: chat.admin_dashboard); unknown keys are refused; `null` puts " +
        "the default back. Open pages receive the new public settings as a `settings_updated` event.",
      body: ["SettingsPatch", SettingsPatch],
      ok: [[200, "Settings after the change", R.SettingsResponse]],
    }),

    ...adminConsoleEndpoints(e),
    ...adminRolesEndpoints(e),

    e("get", `${chat}/ws`, "Realtime", "WebSocket connection (upgrade)", {
      description:
        "Authenticated like the REST API at the handshake; browsers must send an allowed Origin. " +
        "Frames and events are described in docs/protocol.md.",
      ok: [[101, "Switching protocols", null]],
      errors: [429],
    }),
    ...visitorEndpoints(max),
    ...notificationEndpoints(e),
    ...callEndpoints(),
  ];
}
