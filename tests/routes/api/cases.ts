/**
 * One valid call of every authenticated endpoint, against the test world. The refusal tests run each of
 * them without a session, from another workspace, cross-site, with broken input; a test checks that every
 * authenticated route the app registers has a case here.
 */
import type { World } from "../world.ts";
import { ADMIN_CASES } from "./admin_cases.ts";

export interface Case {
  /** "METHOD /path/:param" exactly as registered in the app. */
  route: string;
  /** The concrete path. */
  path(w: World): string;
  body?(w: World): Record<string, unknown>;
  /** Does the route address one channel or message (so another workspace and non-members get 403/404)? */
  targeted: boolean;
  /** The same call aimed at the private channel or its message, for the non-member checks. */
  secret?(w: World): string;
}

const ch = "/api/chat/channels";
const msg = "/api/chat/messages";

export const CASES: Case[] = [
  { route: "POST /api/auth/logout", path: () => "/api/auth/logout", targeted: false },
  { route: "GET /api/auth/me", path: () => "/api/auth/me", targeted: false },
  {
    route: "POST /api/auth/tickets",
    path: () => "/api/auth/tickets",
    body: () => ({ purpose: "socket" }),
    targeted: false,
  },
  { route: "GET /api/chat/channels", path: () => ch, targeted: false },
  { route: "GET /api/chat/channels/browse", path: () => `${ch}/browse?q=gen`, targeted: false },
  { route: "POST /api/chat/channels", path: () => ch, body: () => ({ name: "brand-new" }), targeted: false },
  {
    route: "GET /api/chat/channels/:id",
    path: (w) => `${ch}/${w.general}`,
    secret: (w) => `${ch}/${w.secret}`,
    targeted: true,
  },
  {
    route: "PATCH /api/chat/channels/:id",
    path: (w) => `${ch}/${w.general}`,
    secret: (w) => `${ch}/${w.secret}`,
    body: () => ({ description: "changed" }),
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/archive",
    path: (w) => `${ch}/${w.general}/archive`,
    secret: (w) => `${ch}/${w.secret}/archive`,
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/unarchive",
    path: (w) => `${ch}/${w.general}/unarchive`,
    secret: (w) => `${ch}/${w.secret}/unarchive`,
    targeted: true,
  },
  {
    route: "DELETE /api/chat/channels/:id",
    path: (w) => `${ch}/${w.general}`,
    secret: (w) => `${ch}/${w.secret}`,
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/join",
    path: (w) => `${ch}/${w.general}/join`,
    secret: (w) => `${ch}/${w.secret}/join`,
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/leave",
    path: (w) => `${ch}/${w.general}/leave`,
    secret: (w) => `${ch}/${w.secret}/leave`,
    targeted: true,
  },
  {
    route: "GET /api/chat/channels/:id/members",
    path: (w) => `${ch}/${w.general}/members`,
    secret: (w) => `${ch}/${w.secret}/members`,
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/members",
    path: (w) => `${ch}/${w.general}/members`,
    secret: (w) => `${ch}/${w.secret}/members`,
    body: (w) => ({ userIds: [w.users.carol] }),
    targeted: true,
  },
  {
    route: "DELETE /api/chat/channels/:id/members/:userId",
    path: (w) => `${ch}/${w.general}/members/${w.users.bob}`,
    secret: (w) => `${ch}/${w.secret}/members/${w.users.alice}`,
    targeted: true,
  },
  {
    route: "PATCH /api/chat/channels/:id/members/:userId",
    path: (w) => `${ch}/${w.general}/members/${w.users.bob}`,
    secret: (w) => `${ch}/${w.secret}/members/${w.users.alice}`,
    body: () => ({ role: "moderator" }),
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/members/:userId/block",
    path: (w) => `${ch}/${w.general}/members/${w.users.bob}/block`,
    secret: (w) => `${ch}/${w.secret}/members/${w.users.alice}/block`,
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/members/:userId/unblock",
    path: (w) => `${ch}/${w.general}/members/${w.users.bob}/unblock`,
    secret: (w) => `${ch}/${w.secret}/members/${w.users.alice}/unblock`,
    targeted: true,
  },
  {
    route: "POST /api/chat/direct",
    path: () => "/api/chat/direct",
    body: (w) => ({ userId: w.users.bob }),
    targeted: false,
  },
  {
    route: "POST /api/chat/groups",
    path: () => "/api/chat/groups",
    body: (w) => ({ userIds: [w.users.bob, w.users.carol] }),
    targeted: false,
  },
  {
    route: "GET /api/chat/channels/:id/messages",
    path: (w) => `${ch}/${w.general}/messages`,
    secret: (w) => `${ch}/${w.secret}/messages`,
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/messages",
    path: (w) => `${ch}/${w.general}/messages`,
    secret: (w) => `${ch}/${w.secret}/messages`,
    body: () => ({ clientId: "case-1", body: "hi" }),
    targeted: true,
  },
  {
    route: "POST /api/chat/channels/:id/read",
    path: (w) => `${ch}/${w.general}/read`,
    secret: (w) => `${ch}/${w.secret}/read`,
    body: () => ({ seq: 1 }),
    targeted: true,
  },
  {
    route: "GET /api/chat/messages/:id",
    path: (w) => `${msg}/${w.msg}`,
    secret: (w) => `${msg}/${w.secretMsg}`,
    targeted: true,
  },
  {
    route: "PATCH /api/chat/messages/:id",
    path: (w) => `${msg}/${w.msg}`,
    secret: (w) => `${msg}/${w.secretMsg}`,
    body: () => ({ body: "edited" }),
    targeted: true,
  },
  {
    route: "DELETE /api/chat/messages/:id",
    path: (w) => `${msg}/${w.msg}`,
    secret: (w) => `${msg}/${w.secretMsg}`,
    targeted: true,
  },
  {
    route: "GET /api/chat/messages/:id/thread",
    path: (w) => `${msg}/${w.msg}/thread`,
    secret: (w) => `${msg}/${w.secretMsg}/thread`,
    targeted: true,
  },
  {
    route: "POST /api/chat/messages/:id/reactions",
    path: (w) => `${msg}/${w.msg}/reactions`,
    secret: (w) => `${msg}/${w.secretMsg}/reactions`,
    body: () => ({ emoji: "👍" }),
    targeted: true,
  },
  {
    route: "DELETE /api/chat/messages/:id/reactions/:emoji",
    path: (w) => `${msg}/${w.msg}/reactions/${encodeURIComponent("👍")}`,
    secret: (w) => `${msg}/${w.secretMsg}/reactions/${encodeURIComponent("👍")}`,
    targeted: true,
  },
  { route: "GET /api/chat/users", path: () => "/api/chat/users?q=a", targeted: false },
  { route: "GET /api/chat/users/:id", path: (w) => `/api/chat/users/${w.users.bob}`, targeted: true },
  { route: "GET /api/chat/presence", path: () => "/api/chat/presence", targeted: false },
  {
    route: "PUT /api/chat/me/status",
    path: () => "/api/chat/me/status",
    body: () => ({ status: "busy" }),
    targeted: false,
  },
  {
    route: "PUT /api/chat/me/password",
    path: () => "/api/chat/me/password",
    body: () => ({ currentPassword: "pw", newPassword: "a long password" }),
    targeted: false,
  },
  { route: "GET /api/admin/connections", path: () => "/api/admin/connections", targeted: false },
  { route: "GET /api/admin/settings", path: () => "/api/admin/settings", targeted: false },
  {
    // (A string-valued setting: `null` is valid for every key, it puts the default back, JSON Merge Patch.)
    route: "PATCH /api/admin/settings",
    path: () => "/api/admin/settings",
    body: () => ({ "widget.primary_color": "#123456" }),
    targeted: false,
  },
  { route: "GET /api/chat/settings", path: () => "/api/chat/settings", targeted: false },
  { route: "GET /api/chat/me/preferences", path: () => "/api/chat/me/preferences", targeted: false },
  {
    route: "PATCH /api/chat/me/preferences",
    path: () => "/api/chat/me/preferences",
    body: () => ({ theme: "dark" }),
    targeted: false,
  },
  ...ADMIN_CASES,
];

export const method = (c: Case) => c.route.split(" ")[0];
export const isWrite = (c: Case) => !["GET", "HEAD"].includes(method(c));
