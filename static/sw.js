// Parley's service worker: shows Web Push notifications (payloads are decrypted by the browser) and opens
// the conversation at the message when one is clicked. See docs/notifications.md.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: event.data ? event.data.text() : "Parley" };
  }
  const title = typeof data.title === "string" && data.title ? data.title : "Parley";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "",
      tag: typeof data.tag === "string" ? data.tag : undefined,
      icon: "/pwa/icon.svg",
      badge: "/pwa/icon.svg",
      data: { url: typeof data.url === "string" ? data.url : "/chat" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/chat", self.location.origin);
  // Only ever open Parley's own pages.
  const url = target.origin === self.location.origin
    ? target.href
    : new URL("/chat", self.location.origin).href;
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const tab of tabs) {
      if (new URL(tab.url).origin === self.location.origin && "navigate" in tab) {
        await tab.focus();
        return tab.navigate(url);
      }
    }
    return self.clients.openWindow(url);
  })());
});
