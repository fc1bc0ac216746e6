/**
 * What the REST API answers with, as zod schemas: the OpenAPI document (`openapi.ts`) is generated from them,
 * and the HTTP tests parse real responses with them, so the documentation cannot drift from the code.
 * They mirror the types in `realtime/protocol.ts` and the shapes built in `domain/`. Objects are not strict:
 * a new field is allowed, a missing or retyped documented field is not.
 */
import { z } from "zod";
import { PrefsSchema, WorkspaceNotificationSchema } from "../../domain/notifications/prefs.ts";
import { PERMISSIONS } from "../../domain/permissions.ts";
import { WORKSPACE_SETTINGS } from "../../domain/settings/catalog.ts";
import { USER_PREFERENCES } from "../../domain/preferences/catalog.ts";

const Id = z.number().int().positive();
const Timestamp = z.string().describe("ISO 8601 date-time");

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe("stable machine-readable code, e.g. invalid_input, not_found, csrf"),
    message: z.string().describe("safe, human-readable explanation"),
    retryAfter: z.number().int().optional().describe("seconds to wait (rate limits, locked accounts)"),
    lockedUntil: Timestamp.optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional()
      .describe("every validation problem (invalid_input)"),
  }),
});

export const Ok = z.object({ ok: z.literal(true) });

export const UserSummary = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
});

const Role = z.enum(["admin", "moderator", "member", "guest"]);
const Status = z.enum(["online", "away", "busy", "offline"]);

export const Me = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  role: Role,
  permissions: z.array(z.enum(PERMISSIONS)),
  status: Status,
  statusText: z.string(),
  awayMessage: z.string(),
});

export const Profile = UserSummary.extend({
  email: z.string().nullable().describe(
    "null unless the reader is an admin, the person themselves, or directory.show_emails is on",
  ),
  role: Role,
  status: Status,
  statusText: z.string(),
  awayMessage: z.string(),
  deactivated: z.boolean(),
});

export const Session = z.object({
  token: z.string().describe("bearer token for non-browser clients; browsers use the cookie set alongside"),
  expiresAt: Timestamp,
  user: Me,
});

export const EmbedSessionResponse = z.object({
  token: z.string().describe("bearer token of the embed session, usable only from the origin that opened it"),
  expiresAt: Timestamp,
  expiresIn: z.number().int().describe("seconds until it lapses (for clients whose clock differs)"),
  user: Me,
});

export const TicketResponse = z.object({
  ticket: z.string().describe("single use; for `/api/chat/ws?ticket=` or `/embed/open?ticket=`"),
  expiresAt: Timestamp,
});

export const Reaction = z.object({ emoji: z.string(), userIds: z.array(Id) });

export const Attachment = z.object({
  id: Id,
  name: z.string(),
  mime: z.string().describe("decided from the content, not the name"),
  kind: z.enum(["image", "video", "audio", "pdf", "file"]),
  size: z.number().int().nonnegative(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  thumb: z.boolean().describe("a thumbnail exists: GET /api/chat/files/{id}?variant=thumb"),
});
export const Message = z.object({
  id: Id,
  channelId: Id,
  seq: z.number().int().positive().describe("the channel's gap-free event sequence number at sending"),
  senderId: Id.nullable(),
  clientId: z.string(),
  type: z.enum(["text", "file", "image", "system", "broadcast", "ticket_link"]),
  body: z.string().describe("empty once deleted: show 'This message was deleted'"),
  replyTo: Id.nullable().describe("the thread's first message, for replies"),
  replyCount: z.number().int().nonnegative(),
  mentions: z.array(Id),
  reactions: z.array(Reaction),
  attachments: z.array(Attachment).optional().describe("files it carries; empty once deleted"),
  editedAt: Timestamp.nullable(),
  deletedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});

export const Channel = z.object({
  id: Id,
  kind: z.enum(["public_channel", "private_channel", "direct_message", "group"]),
  name: z.string(),
  displayName: z.string().describe('"# general", the other person of a DM, or the smart group name'),
  description: z.string(),
  readOnly: z.boolean(),
  allowPosting: z.boolean(),
  archived: z.boolean(),
  lastSeq: z.number().int().nonnegative(),
  lastMessageAt: Timestamp.nullable(),
  memberCount: z.number().int().nonnegative(),
  members: z.array(UserSummary).optional().describe("DMs and groups only"),
  myRole: z.enum(["owner", "admin", "moderator", "member"]).nullable().optional(),
  canPost: z.boolean().optional(),
  lastReadSeq: z.number().int().nonnegative().optional(),
  unread: z.number().int().nonnegative().optional(),
  mentions: z.number().int().nonnegative().optional(),
});

export const Member = UserSummary.extend({
  role: z.enum(["owner", "admin", "moderator", "member"]),
  canPost: z.boolean().optional().describe("moderators of the channel only"),
  blockedBy: Id.nullable().optional().describe("moderators of the channel only"),
  blockedAt: Timestamp.nullable().optional().describe("moderators of the channel only"),
  joinedAt: Timestamp,
  lastReadSeq: z.number().int().nonnegative().optional().describe(
    "in DMs and groups only, where read receipts are shown",
  ),
});

export const HistoryPage = z.object({
  messages: z.array(Message).describe("oldest first"),
  olderCursor: Id.nullable().describe("pass as `before` for older messages; null at the start"),
  newerCursor: Id.nullable().describe(
    "pass as `after` for newer messages; null when this page is the newest",
  ),
  lastSeq: z.number().int().nonnegative(),
});

export const Thread = z.object({ parent: Message, replies: z.array(Message) });

export const Health = z.object({
  ok: z.literal(true),
  engine: z.enum(["postgres", "pglite"]),
  instance: z.string(),
});

export const Presence = z.object({
  userId: Id,
  status: Status,
  statusText: z.string(),
  awayMessage: z.string(),
  connections: z.number().int().nonnegative().describe("open tabs and apps, across instances"),
});

export const Connection = z.object({
  id: z.string(),
  userId: Id,
  instanceId: z.string(),
  page: z.string(),
  userAgent: z.string(),
  connectedAt: Timestamp,
  seenAt: Timestamp,
});

// Response bodies that wrap the shapes above.
export const MeResponse = z.object({ user: Me });
export const ChannelResponse = z.object({ channel: Channel });
export const ChannelsResponse = z.object({ channels: z.array(Channel) });
export const MembersResponse = z.object({ members: z.array(Member) });
export const MessageResponse = z.object({ message: Message });
export const ReadResponse = z.object({ lastReadSeq: z.number().int().nonnegative() });
export const UserResponse = z.object({ user: Profile });
export const UsersResponse = z.object({ users: z.array(Profile) });
export const PresenceResponse = z.object({ presence: z.array(Presence) });
export const ConnectionsResponse = z.object({ connections: z.array(Connection) });

/** A registry's values as one object schema, each key described by its definition. */
function valuesOf(
  defs: Record<string, { schema: z.ZodType; description: string }>,
  keys = Object.keys(defs),
) {
  return z.object(Object.fromEntries(keys.map((k) => [k, defs[k].schema.describe(defs[k].description)])));
}
const PUBLIC_SETTING_KEYS = Object.entries(WORKSPACE_SETTINGS).filter(([, s]) => s.public).map(([k]) => k);
export const SettingsValues = valuesOf(WORKSPACE_SETTINGS);
export const PreferencesValues = valuesOf(USER_PREFERENCES);
const Definition = z.object({
  key: z.string(),
  group: z.string(),
  label: z.string(),
  description: z.string(),
  default: z.unknown(),
  type: z.record(z.string(), z.unknown()).describe("the value's JSON Schema"),
  permission: z.enum(PERMISSIONS).optional(),
  public: z.boolean().optional().describe("pages receive it and get it live when it changes"),
  editable: z.boolean().optional().describe("whether the caller may change it"),
});
export const SettingsResponse = z.object({ settings: SettingsValues });
export const SettingsAdminResponse = z.object({ settings: SettingsValues, definitions: z.array(Definition) });
export const PublicSettingsResponse = z.object({
  settings: valuesOf(WORKSPACE_SETTINGS, PUBLIC_SETTING_KEYS),
});
export const PreferencesResponse = z.object({
  preferences: PreferencesValues,
  allowed: z.record(z.string(), z.array(z.unknown())).describe(
    "preferences the workspace narrows, with the values it allows (theme: the themes offered)",
  ),
});

export * from "./admin_response_schemas.ts";
export * from "./admin_roles_schemas.ts";
import { LinkResponse } from "./admin_response_schemas.ts";
/** POST /api/admin/people: the new person and their invitation link. */
export const CreatedPersonResponse = z.object({ user: Profile }).extend({
  ...LinkResponse.shape,
  link: LinkResponse.shape.link.nullable().describe("null when a password was given"),
});
// Notifications (docs/notifications.md)
const NotifyLevel = z.enum(["all", "mentions", "mute"]);
export const NotificationsResponse = z.object({
  prefs: PrefsSchema,
  levels: z.array(z.object({ channelId: Id, level: NotifyLevel })),
  defaultLevels: z.object({ dm: NotifyLevel, group: NotifyLevel, channel: NotifyLevel }),
  previews: z.boolean(),
  dnd: z.object({ active: z.boolean(), until: z.string().nullable() }),
});
export const NotificationLevelResponse = z.object({ channelId: Id, level: NotifyLevel.nullable() });
export const DndResponse = z.object({ userIds: z.array(Id) });
export const PushKeyResponse = z.object({ publicKey: z.string() });
export const PushDevice = z.object({
  id: Id,
  device: z.string(),
  endpointHost: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export const PushDevicesResponse = z.object({ devices: z.array(PushDevice) });
export const PushDeviceResponse = z.object({ device: PushDevice });
export const NotificationWorkspaceResponse = WorkspaceNotificationSchema;
// ---- calls (routes/api/calls.ts) ----

export const CallInfo = z.object({
  id: Id,
  channelId: Id,
  media: z.enum(["audio", "video"]),
  state: z.enum(["ringing", "active", "ended"]),
  startedBy: Id.nullable(),
  startedAt: Timestamp,
  answeredAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  endReason: z.enum(["completed", "missed", "declined", "cancelled"]).nullable(),
  participants: z.array(z.object({
    userId: Id,
    state: z.enum(["ringing", "joined", "left", "declined", "missed"]),
    connectionId: z.string().nullable().describe("the socket (tab) that is in the call"),
    joinedAt: Timestamp.nullable(),
    leftAt: Timestamp.nullable(),
  })),
});
export const CallsResponse = z.object({ calls: z.array(CallInfo) });
export const CallHistoryResponse = z.object({
  calls: z.array(CallInfo.extend({
    myState: z.enum(["ringing", "joined", "left", "declined", "missed"]),
    rating: z.number().int().nullable(),
  })),
});
export const IceResponse = z.object({
  iceServers: z.array(z.object({
    urls: z.array(z.string()),
    username: z.string().optional(),
    credential: z.string().optional(),
  })),
  iceTransportPolicy: z.enum(["all", "relay"]),
  expiresAt: Timestamp.nullable(),
});
export const FileResponse = z.object({ file: Attachment.extend({ channelId: Id }) });
export const FilesResponse = z.object({
  files: z.array(Attachment.extend({ messageId: Id, uploaderId: Id.nullable(), createdAt: Timestamp })),
});
const Highlights = z.array(z.tuple([z.number().int(), z.number().int()])).describe(
  "[start, end) to highlight",
);
export const SearchResponse = z.object({
  query: z.object({}).passthrough().describe("the query as parsed: terms, phrases, excluded, filters"),
  messages: z.array(z.object({
    id: Id,
    channelId: Id,
    channelName: z.string(),
    channelKind: z.string(),
    seq: z.number().int(),
    senderId: Id.nullable(),
    senderName: z.string().nullable(),
    replyTo: Id.nullable(),
    createdAt: Timestamp,
    snippet: z.string(),
    highlights: Highlights,
  })),
  files: z.array(
    Attachment.omit({ width: true, height: true }).extend({
      channelId: Id,
      channelName: z.string(),
      messageId: Id,
      createdAt: Timestamp,
      highlights: Highlights,
    }),
  ),
  people: z.array(UserSummary),
  channels: z.array(z.object({
    id: Id,
    kind: z.string(),
    name: z.string(),
    description: z.string(),
    member: z.boolean(),
  })),
});
