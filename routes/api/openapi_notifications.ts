/** The notification endpoints of the OpenAPI table (kept apart so the main table stays small). */
import { LevelInput, PauseInput, SubscriptionInput } from "../../domain/notifications/mine.ts";
import { PrefsPatch, WorkspaceNotificationPatch } from "../../domain/notifications/prefs.ts";
import type { Endpoint, Method } from "./openapi_endpoints.ts";
import * as R from "./response_schemas.ts";

type E = (
  method: Method,
  path: string,
  tag: string,
  summary: string,
  rest: Omit<Endpoint, "method" | "path" | "tag" | "summary" | "auth"> & { auth?: boolean },
) => Endpoint;

export function notificationEndpoints(e: E): Endpoint[] {
  const b = "/api/notifications";
  const T = "Notifications";
  return [
    e("get", `${b}`, T, "My notification preferences, levels and do-not-disturb state", {
      ok: [[200, "Everything about my notifications", R.NotificationsResponse]],
    }),
    e("patch", `${b}`, T, "Change my notification preferences", {
      description: "Sections merge; lists (keywords) replace. See docs/notifications.md.",
      body: ["NotificationPrefsPatch", PrefsPatch],
      ok: [[200, "After the change", R.NotificationsResponse]],
    }),
    e("post", `${b}/pause`, T, "Pause notifications for some minutes or until tomorrow morning", {
      body: ["PauseInput", PauseInput],
      ok: [[200, "After the change", R.NotificationsResponse]],
    }),
    e(
      "put",
      `${b}/levels/:channelId`,
      T,
      "Set my level for a conversation (all, mentions, mute; null: default)",
      {
        body: ["LevelInput", LevelInput],
        ok: [[200, "The level", R.NotificationLevelResponse]],
        errors: [404],
      },
    ),
    e("get", `${b}/dnd`, T, "People of my workspace in do not disturb now (the moon)", {
      ok: [[200, "User ids", R.DndResponse]],
    }),
    e("get", `${b}/push/key`, T, "The server's VAPID public key for PushManager.subscribe", {
      ok: [[200, "Base64url key", R.PushKeyResponse]],
    }),
    e("get", `${b}/push/devices`, T, "My devices subscribed to Web Push", {
      ok: [[200, "Devices", R.PushDevicesResponse]],
    }),
    e("post", `${b}/push/devices`, T, "Subscribe this device to Web Push", {
      description: "The body is PushSubscription.toJSON(); the endpoint must be an https push service URL.",
      body: ["SubscriptionInput", SubscriptionInput],
      ok: [[201, "The device", R.PushDeviceResponse]],
    }),
    e("delete", `${b}/push/devices/:id`, T, "Remove one of my devices", {
      ok: [[200, "Removed", R.Ok]],
      errors: [404],
    }),
    e("get", `${b}/workspace`, T, "Workspace notification settings and defaults", {
      ok: [[200, "Settings", R.NotificationWorkspaceResponse]],
    }),
    e("patch", `${b}/workspace`, T, "Change workspace notification settings and defaults", {
      description: "chat.admin_dashboard.",
      body: ["WorkspaceNotificationPatch", WorkspaceNotificationPatch],
      ok: [[200, "Settings after the change", R.NotificationWorkspaceResponse]],
    }),
    e("get", "/manifest.webmanifest", "Meta", "Web app manifest (install Parley)", {
      auth: false,
      ok: [[200, "The manifest", null]],
    }),
    e("get", "/sw.js", "Meta", "The service worker (Web Push notifications)", {
      auth: false,
      ok: [[200, "JavaScript", null]],
    }),
    e("get", "/pwa/icon.svg", "Meta", "The app icon", { auth: false, ok: [[200, "SVG", null]] }),
    e("get", "/notifications/unsubscribe", T, "One-click unsubscribe page (from a mail)", {
      auth: false,
      description: "Signed link from the mail's List-Unsubscribe header; GET only asks, it changes nothing.",
      ok: [[200, "HTML page", null]],
    }),
    e("post", "/notifications/unsubscribe", T, "Unsubscribe from unread-message mails (RFC 8058)", {
      auth: false,
      description: "Query `u` and `t` from the signed link; body `List-Unsubscribe=One-Click`.",
      ok: [[200, "HTML page", null]],
      errors: [404],
    }),
  ];
}
