/**
 * Typed REST helpers for the browser: one `request` that speaks Parley's JSON error shape, and one method
 * per endpoint the islands use, so no island builds `/api/...` strings by hand. No Deno APIs.
 *
 * @example
 * const api = new ChatApi(new Rest({ baseUrl: location.origin }));
 * const { channel } = await api.createChannel({ name: "design", description: "", kind: "public_channel" });
 */
import type {
  Attachment,
  ChannelSummary,
  Message,
  Preferences,
  PresenceStatus,
  PublicSettings,
  UserSummary,
} from "../protocol.ts";

/** A conversation's notification level. */
export type NotifyLevel = "all" | "mentions" | "mute";

/** What `GET /api/notifications` answers (the grouped preferences are not used by the islands). */
export interface NotificationsReply {
  levels: { channelId: number; level: NotifyLevel }[];
  defaultLevels: { dm: NotifyLevel; group: NotifyLevel; channel: NotifyLevel };
  previews: boolean;
  dnd: { active: boolean; until: string | null };
}

/** A device subscribed to Web Push. */
export interface PushDevice {
  id: number;
  device: string;
  endpointHost: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** My preferences and the values the workspace allows for those it narrows (the themes offered). */
export interface PreferencesReply {
  preferences: Preferences;
  allowed: Partial<Record<keyof Preferences, unknown[]>>;
}

export interface ChannelFile extends Attachment {
  messageId: number;
  uploaderId: number | null;
  createdAt: string;
}

type Ranges = [number, number][];

/** What `GET /api/chat/search` answers. */
export interface SearchResults {
  messages: {
    id: number;
    channelId: number;
    channelName: string;
    channelKind: string;
    senderName: string | null;
    createdAt: string;
    snippet: string;
    highlights: Ranges;
  }[];
  files: (Attachment & { channelId: number; channelName: string; messageId: number; highlights: Ranges })[];
  people: UserSummary[];
  channels: { id: number; kind: string; name: string; description: string; member: boolean }[];
}

export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number, readonly retryAfter?: number) {
    super(message);
  }
}

export interface Me extends UserSummary {
  email: string | null;
  role: string;
  permissions: string[];
  status: PresenceStatus;
  statusText: string;
  awayMessage: string;
}

export type UserInfo = UserSummary & {
  status?: string;
  statusText?: string;
  awayMessage?: string;
  role?: string;
};

export interface MemberRow {
  id: number;
  username: string;
  displayName: string;
  role: string;
  /** Posting state: for the channel's moderators only. */
  canPost?: boolean;
  blockedBy?: number | null;
  blockedAt?: string | null;
  /** Read position: in DMs and groups only, where receipts are shown. */
  lastReadSeq?: number;
}

export interface HistoryPage {
  messages: Message[];
  olderCursor: number | null;
  lastSeq: number;
}

export interface NewChannel {
  name: string;
  description: string;
  kind: "public_channel" | "private_channel";
  readOnly: boolean;
}

/** The HTTP part: base URL, bearer token (non-browser use), JSON in and out, `ApiError` on failure. */
export class Rest {
  readonly #base: string;
  readonly #token?: string | (() => string);
  /** `token`: a bearer token, or a function giving the current one (an embed session that is refreshed). */
  constructor(opts: { baseUrl?: string; token?: string | (() => string) } = {}) {
    this.#base = opts.baseUrl || globalThis.location?.origin || "";
    this.#token = opts.token;
  }

  get base(): string {
    return this.#base;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    const token = typeof this.#token === "function" ? this.#token() : this.#token;
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.#base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = (data as { error?: { code: string; message: string; retryAfter?: number } }).error;
      throw new ApiError(
        e?.code ?? "http_" + res.status,
        e?.message ?? res.statusText,
        res.status,
        e?.retryAfter,
      );
    }
    return data as T;
  }
}

const ch = (id: number) => `/api/chat/channels/${id}`;
const q = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  return s.toString();
};

/** One method per chat endpoint the browser uses. */
export class ChatApi {
  constructor(private rest: Rest) {}

  me = () => this.rest.request<{ user: Me }>("GET", "/api/auth/me");
  logout = () => this.rest.request<unknown>("POST", "/api/auth/logout");
  /** A single-use ticket of an embed session: to open the socket, or Parley in a new tab. */
  ticket = (purpose: "socket" | "open") =>
    this.rest.request<{ ticket: string; expiresAt: string }>("POST", "/api/auth/tickets", { purpose });
  channels = () => this.rest.request<{ channels: ChannelSummary[] }>("GET", "/api/chat/channels");
  users = (limit = 100) => this.rest.request<{ users: UserInfo[] }>("GET", `/api/chat/users?limit=${limit}`);
  history = (channelId: number, p: { limit?: number; before?: number; around?: number } = {}) =>
    this.rest.request<HistoryPage>("GET", `${ch(channelId)}/messages?${q({ limit: 50, ...p })}`);
  thread = (messageId: number) =>
    this.rest.request<{ parent: Message; replies: Message[] }>(
      "GET",
      `/api/chat/messages/${messageId}/thread`,
    );
  browse = (query: string) =>
    this.rest.request<{ channels: ChannelSummary[] }>("GET", `/api/chat/channels/browse?${q({ q: query })}`);
  createChannel = (input: NewChannel) =>
    this.rest.request<{ channel: ChannelSummary }>("POST", "/api/chat/channels", input);
  updateChannel = (id: number, patch: { description?: string; readOnly?: boolean; name?: string }) =>
    this.rest.request<{ channel: ChannelSummary }>("PATCH", ch(id), patch);
  setArchived = (id: number, archived: boolean) =>
    this.rest.request<{ channel: ChannelSummary }>("POST", `${ch(id)}/${archived ? "archive" : "unarchive"}`);
  join = (id: number) => this.rest.request<{ channel: ChannelSummary }>("POST", `${ch(id)}/join`);
  leave = (id: number) => this.rest.request<unknown>("POST", `${ch(id)}/leave`);
  members = (id: number) => this.rest.request<{ members: MemberRow[] }>("GET", `${ch(id)}/members`);
  addMembers = (id: number, userIds: number[]) =>
    this.rest.request<{ members: MemberRow[] }>("POST", `${ch(id)}/members`, { userIds });
  removeMember = (id: number, userId: number) =>
    this.rest.request<unknown>("DELETE", `${ch(id)}/members/${userId}`);
  setMemberRole = (id: number, userId: number, role: string) =>
    this.rest.request<unknown>("PATCH", `${ch(id)}/members/${userId}`, { role });
  setBlocked = (id: number, userId: number, blocked: boolean) =>
    this.rest.request<unknown>("POST", `${ch(id)}/members/${userId}/${blocked ? "block" : "unblock"}`);
  openDirect = (userId: number) =>
    this.rest.request<{ channel: ChannelSummary }>("POST", "/api/chat/direct", { userId });
  settings = () => this.rest.request<{ settings: PublicSettings }>("GET", "/api/chat/settings");
  preferences = () => this.rest.request<PreferencesReply>("GET", "/api/chat/me/preferences");
  /** `null` for a key follows the workspace default again. */
  setPreferences = (patch: { [K in keyof Preferences]?: Preferences[K] | null }) =>
    this.rest.request<PreferencesReply>("PATCH", "/api/chat/me/preferences", patch);
  notifications = () => this.rest.request<NotificationsReply>("GET", "/api/notifications");
  /** `null` goes back to the default level of the conversation's kind. */
  setLevel = (channelId: number, level: NotifyLevel | null) =>
    this.rest.request<{ channelId: number; level: NotifyLevel | null }>(
      "PUT",
      `/api/notifications/levels/${channelId}`,
      { level },
    );
  pause = (input: { minutes?: number; untilTomorrow?: boolean }) =>
    this.rest.request<NotificationsReply>("POST", "/api/notifications/pause", input);
  dndUsers = () => this.rest.request<{ userIds: number[] }>("GET", "/api/notifications/dnd");
  pushKey = () => this.rest.request<{ publicKey: string }>("GET", "/api/notifications/push/key");
  pushDevices = () => this.rest.request<{ devices: PushDevice[] }>("GET", "/api/notifications/push/devices");
  addPushDevice = (subscription: unknown) =>
    this.rest.request<{ device: PushDevice }>("POST", "/api/notifications/push/devices", subscription);
  removePushDevice = (id: number) =>
    this.rest.request<{ ok: true }>("DELETE", `/api/notifications/push/devices/${id}`);
  changePassword = (currentPassword: string, newPassword: string) =>
    this.rest.request<{ ok: true }>("PUT", "/api/chat/me/password", { currentPassword, newPassword });
  sendWithFiles = (
    channelId: number,
    body: { clientId: string; body: string; attachments: number[]; replyTo?: number },
  ) => this.rest.request<{ message: Message }>("POST", `${ch(channelId)}/messages`, body);
  discardFile = (id: number) => this.rest.request<unknown>("DELETE", `/api/chat/files/${id}`);
  /** Files shared in a conversation, newest first; `before` a file id for the next page. */
  files = (channelId: number, page: { before?: number; limit?: number } = {}) =>
    this.rest.request<{ files: ChannelFile[] }>(
      "GET",
      `${ch(channelId)}/files?${
        q({ ...(page.before ? { before: String(page.before) } : {}), limit: String(page.limit ?? 50) })
      }`,
    );
  search = (query: string, scope: "mine" | "all" = "mine") =>
    this.rest.request<SearchResults>("GET", `/api/chat/search?${q({ q: query, scope })}`);
  openGroup = (userIds: number[]) =>
    this.rest.request<{ channel: ChannelSummary }>("POST", "/api/chat/groups", { userIds });
}
