/** Response bodies of the admin console's endpoints (re-exported by response_schemas.ts, which names them). */
import { z } from "zod";

const Id = z.number().int().positive();
const Time = z.string().describe("ISO 8601 date-time");
export const Person = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  role: z.string(),
  deactivatedAt: Time.nullable(),
  createdAt: Time,
  tabs: z.number().int().describe("Open tabs (live connections)"),
});
export const PeopleResponse = z.object({
  people: z.array(Person),
  counts: z.object({
    matching: z.number().int(),
    total: z.number().int(),
    active: z.number().int(),
    deactivated: z.number().int(),
    online: z.number().int(),
    byRole: z.record(z.string(), z.number().int()),
  }),
  page: z.number().int(),
  pages: z.number().int(),
});
export const LinkResponse = z.object({
  link: z.string().describe("One-time path: /invite/<token>"),
  expiresInDays: z.number(),
  emailed: z.boolean().describe("The link was also mailed to the person's address"),
});
export const Tabs = z.object({
  tabs: z.array(
    z.object({ id: z.string(), page: z.string(), since: Time, instance: z.string(), userAgent: z.string() }),
  ),
});
export const AdminChannel = z.object({
  id: Id,
  kind: z.string(),
  name: z.string(),
  description: z.string(),
  archivedAt: Time.nullable(),
  legalHold: z.boolean().describe("Retention never deletes this channel's messages"),
  lastMessageAt: Time.nullable(),
  createdAt: Time,
  members: z.number().int(),
  messages: z.number().int(),
  owners: z.array(z.object({ id: Id, displayName: z.string() })),
});
export const AuditEntry = z.object({
  id: Id,
  actorId: Id.nullable(),
  actor: z.string().nullable(),
  action: z.string(),
  target: z.string(),
  detail: z.unknown(),
  ip: z.string(),
  createdAt: Time,
});
export const Broadcast = z.object({
  id: Id,
  authorId: Id.nullable(),
  author: z.string().nullable(),
  body: z.string(),
  createdAt: Time,
  endedAt: Time.nullable(),
});
export const Report = z.object({
  broadcast: Broadcast,
  people: z.array(z.object({ userId: Id, displayName: z.string(), ackedAt: Time.nullable() })),
  acknowledged: z.number().int(),
  total: z.number().int(),
});

export const Dashboard = z.object({
  engine: z.string(),
  instance: z.string(),
  uptimeSeconds: z.number(),
  version: z.string(),
  peopleOnline: z.number().int(),
  openTabs: z.number().int(),
  instances: z.array(z.object({ id: z.string(), connections: z.number().int() })),
  messages24h: z.number().int(),
  messagesTotal: z.number().int(),
  databaseBytes: z.number().nullable(),
  messagesBytes: z.number().nullable().describe("The messages table on disk, with its indexes"),
  filesBytes: z.number().describe("Bytes of the workspace's files (staff and visitor attachments)"),
  files: z.number().int(),
  visitorsWaiting: z.number().int().describe("Visitor conversations waiting in the queue"),
  visitorChatsActive: z.number().int().describe("Visitor conversations with an agent"),
  messagesPerHour: z.array(
    z.object({ hour: z.string().describe("UTC, YYYY-MM-DDTHH:00"), messages: z.number() }),
  )
    .describe("The last 24 hours, oldest first"),
  messagesPerDay: z.array(z.object({ day: z.string().describe("UTC, YYYY-MM-DD"), messages: z.number() }))
    .describe("The last 30 days, oldest first"),
});

const PurgeCounts = z.object({
  messages: z.number().int(),
  files: z.number().int(),
  events: z.number().int(),
  visitorConversations: z.number().int(),
  auditEntries: z.number().int(),
});
export const PurgeDryRunResponse = z.object({
  olderThanDays: z.number().int(),
  cutoff: Time,
  counts: PurgeCounts,
});

export const AdminChannelsResponse = z.object({
  channels: z.array(AdminChannel),
  total: z.number().int(),
  page: z.number().int(),
  pages: z.number().int(),
});
export const AuditResponse = z.object({
  entries: z.array(AuditEntry),
  total: z.number().int(),
  actions: z.array(z.string()),
});
export const MaintenanceResponse = z.object({ maintenance: z.boolean(), message: z.string() });
export const SignOutEveryoneResponse = z.object({ sessionsEnded: z.number().int() });
export const BroadcastsResponse = z.object({ broadcasts: z.array(Broadcast) });
export const BroadcastResponse = z.object({ broadcast: Broadcast });

export const LegalHoldResponse = z.object({ channelId: Id, legalHold: z.boolean() });
export const RetentionRun = z.object({
  id: Id,
  startedAt: Time,
  finishedAt: Time.nullable(),
  cutoff: Time.describe("Messages created before this were deleted"),
  days: z.number().int(),
  dryRun: z.boolean(),
  trigger: z.enum(["schedule", "admin"]),
  messages: z.number().int().describe("Deleted (or, in a dry run, that would be)"),
  files: z.number().int(),
  heldChannels: z.number().int(),
});
export const RetentionRunResponse = z.object({ run: RetentionRun });
export const RetentionResponse = z.object({
  days: z.number().int().describe("0: retention is off"),
  heldChannels: z.array(z.object({ id: Id, name: z.string() })),
  runs: z.array(RetentionRun),
});

const Count = z.number().int();
export const AnalyticsResponse = z.object({
  days: Count,
  perDay: z.array(z.object({ day: z.string(), messages: Count, activePeople: Count, files: Count })),
  weekHours: z.array(z.object({ dow: Count.describe("1 = Monday"), hour: Count, messages: Count })),
  busiestChannels: z.array(z.object({ id: Id, name: z.string(), messages: Count })),
  visitor: z.object({
    chats: Count,
    answered: Count,
    waitSeconds: Count.nullable(),
    firstAnswerSeconds: Count.nullable(),
    lengthSeconds: Count.nullable(),
  }),
  ratings: z.array(
    z.object({ agent: z.string(), team: z.string(), scale: z.string(), ratings: Count, average: z.number() }),
  ),
});

export const MonitorResponse = z.object({
  messages: z.array(z.object({
    id: Id,
    channelId: Id,
    channel: z.string(),
    kind: z.string(),
    senderId: Id.nullable(),
    sender: z.string().nullable(),
    body: z.string(),
    replyTo: Id.nullable(),
    createdAt: Time,
  })),
  total: z.number().int(),
});

export const AdminChannelResponse = z.object({ channel: AdminChannel });
