/** One valid call of every admin console endpoint, for the refusal suite (`cases.ts` includes them). */
import type { Case } from "./cases.ts";

const a = "/api/admin";
export const ADMIN_CASES: Case[] = [
  { route: `GET ${a}/dashboard`, path: () => `${a}/dashboard`, targeted: false },
  { route: `GET ${a}/people`, path: () => `${a}/people?q=b&role=member`, targeted: false },
  {
    route: `POST ${a}/people`,
    path: () => `${a}/people`,
    body: () => ({ username: "newbie", displayName: "New Person", role: "member" }),
    targeted: false,
  },
  {
    route: `PUT ${a}/people/:id/role`,
    path: (w) => `${a}/people/${w.users.bob}/role`,
    body: () => ({ role: "moderator" }),
    targeted: true,
  },
  {
    route: `POST ${a}/people/:id/deactivate`,
    path: (w) => `${a}/people/${w.users.bob}/deactivate`,
    body: () => ({ reason: "left the company" }),
    targeted: true,
  },
  {
    route: `POST ${a}/people/:id/reactivate`,
    path: (w) => `${a}/people/${w.users.bob}/reactivate`,
    body: () => ({ reason: "came back" }),
    targeted: true,
  },
  {
    route: `POST ${a}/people/:id/password`,
    path: (w) => `${a}/people/${w.users.bob}/password`,
    body: () => ({ password: "a long password" }),
    targeted: true,
  },
  {
    route: `POST ${a}/people/:id/password-reset`,
    path: (w) => `${a}/people/${w.users.bob}/password-reset`,
    targeted: true,
  },
  {
    route: `POST ${a}/people/:id/sign-out`,
    path: (w) => `${a}/people/${w.users.bob}/sign-out`,
    targeted: true,
  },
  { route: `GET ${a}/people/:id/tabs`, path: (w) => `${a}/people/${w.users.bob}/tabs`, targeted: true },
  { route: `GET ${a}/channels`, path: () => `${a}/channels?state=active`, targeted: false },
  {
    route: `POST ${a}/channels/:id/archive`,
    path: (w) => `${a}/channels/${w.general}/archive`,
    targeted: true,
  },
  {
    route: `POST ${a}/channels/:id/unarchive`,
    path: (w) => `${a}/channels/${w.general}/unarchive`,
    targeted: true,
  },
  {
    route: `POST ${a}/channels/:id/delete`,
    path: (w) => `${a}/channels/${w.general}/delete`,
    body: () => ({ confirm: "general" }),
    targeted: true,
  },
  { route: `GET ${a}/audit`, path: () => `${a}/audit?q=x`, targeted: false },
  { route: `GET ${a}/audit/export`, path: () => `${a}/audit/export`, targeted: false },
  {
    route: `PUT ${a}/maintenance`,
    path: () => `${a}/maintenance`,
    body: () => ({ on: true }),
    targeted: false,
  },
  { route: `POST ${a}/sign-out-everyone`, path: () => `${a}/sign-out-everyone`, targeted: false },
  { route: `GET ${a}/broadcasts`, path: () => `${a}/broadcasts`, targeted: false },
  {
    route: `POST ${a}/broadcasts`,
    path: () => `${a}/broadcasts`,
    body: () => ({ body: "Fire drill at 3pm" }),
    targeted: false,
  },
  { route: `GET ${a}/broadcasts/:id`, path: () => `${a}/broadcasts/1`, targeted: true },
  { route: `POST ${a}/broadcasts/:id/end`, path: () => `${a}/broadcasts/1/end`, targeted: true },
  { route: "GET /api/broadcasts/pending", path: () => "/api/broadcasts/pending", targeted: false },
  { route: "POST /api/broadcasts/:id/ack", path: () => "/api/broadcasts/1/ack", targeted: true },
  {
    route: `PUT ${a}/channels/:id/legal-hold`,
    path: (w) => `${a}/channels/${w.general}/legal-hold`,
    body: () => ({ on: true, reason: "litigation" }),
    targeted: true,
  },
  { route: `GET ${a}/retention`, path: () => `${a}/retention`, targeted: false },
  {
    route: `POST ${a}/retention/run`,
    path: () => `${a}/retention/run`,
    body: () => ({ dryRun: true }),
    targeted: false,
  },
  { route: `GET ${a}/analytics`, path: () => `${a}/analytics?days=7`, targeted: false },
  {
    route: `GET ${a}/analytics/export`,
    path: () => `${a}/analytics/export?chart=per_day&days=7`,
    targeted: false,
  },
  { route: `GET ${a}/monitor`, path: (w) => `${a}/monitor?channelId=${w.secret}&q=p`, targeted: false },
  {
    route: `GET ${a}/monitor/export`,
    path: (w) => `${a}/monitor/export?format=json&channelId=${w.general}`,
    targeted: false,
  },
  {
    route: `PUT ${a}/channels/:id/owners/:userId`,
    path: (w) => `${a}/channels/${w.general}/owners/${w.users.alice}`,
    body: () => ({ owner: true }),
    targeted: true,
  },
  {
    route: `GET ${a}/channels/:id/members`,
    path: (w) => `${a}/channels/${w.general}/members?q=b`,
    secret: (w) => `${a}/channels/${w.secret}/members`,
    targeted: true,
  },
  // Custom roles (role 1 need not exist: refusals come first).
  { route: `GET ${a}/roles`, path: () => `${a}/roles`, targeted: false },
  {
    route: `POST ${a}/roles`,
    path: () => `${a}/roles`,
    body: () => ({ name: "Helpers", rank: "member", permissions: ["chat.access_channels"] }),
    targeted: false,
  },
  {
    route: `PATCH ${a}/roles/:id`,
    path: () => `${a}/roles/1`,
    body: () => ({ name: "Renamed" }),
    targeted: true,
  },
  { route: `DELETE ${a}/roles/:id`, path: () => `${a}/roles/1`, targeted: true },
  {
    route: `PUT ${a}/roles/:id/holders/:userId`,
    path: (w) => `${a}/roles/1/holders/${w.users.bob}`,
    targeted: true,
  },
  {
    route: `DELETE ${a}/roles/:id/holders/:userId`,
    path: (w) => `${a}/roles/1/holders/${w.users.bob}`,
    targeted: true,
  },
];
