/**
 * /embed/open: "Open in full chat" from the staff widget on a host application's origin (docs/widget.md).
 * The widget opens this page in a new tab with a single-use ticket of its embed session. Parley's own
 * origin has no session there (the widget's session is a bearer token of the host's origin, and a
 * third-party cookie would not be sent), so the page asks "Continue as …?" and its form turns the ticket
 * into an ordinary cookie session. The confirmation is what keeps someone else's link from signing you in
 * as them (login CSRF): nothing is signed in by merely following a link.
 */
import { Hono } from "hono";
import type { Deps } from "../../domain/deps.ts";
import type { AppEnv } from "../env.ts";
import { t } from "../../i18n/mod.ts";
import { peekOpenTicket, redeemOpenTicket } from "../../domain/embed.ts";
import { requireSameOrigin } from "../middleware/auth.ts";
import { clientIp } from "../middleware/client_address.ts";
import { setSessionCookie } from "../api/auth.ts";
import { safeNext } from "./session.ts";

function Card({ children }: { children: preact.ComponentChildren }) {
  return (
    <main class="min-h-full flex items-center justify-center p-4 bg-sidebar">
      <div class="w-full max-w-sm rounded-xl border border-line bg-main p-6 shadow-lg">
        <h1 class="text-2xl font-bold mb-5">{t("embedOpen.title")}</h1>
        {children}
      </div>
    </main>
  );
}

function expiredView(next: string) {
  return (
    <Card>
      <p class="mb-4">{t("embedOpen.expired")}</p>
      <a class="text-link underline font-semibold" href={`/login?next=${encodeURIComponent(next)}`}>
        {t("embedOpen.signIn")}
      </a>
    </Card>
  );
}

export function embedOpenRoutes(
  deps: Deps,
  page: (title: string, body: preact.VNode, status?: number) => Response,
) {
  const app = new Hono<AppEnv>();
  app.get("/open", async (c) => {
    const ticket = c.req.query("ticket") ?? "";
    const next = safeNext(c.req.query("next"));
    const who = ticket ? await peekOpenTicket(deps, ticket) : null;
    if (!who) return page(t("embedOpen.title"), expiredView(next), 400);
    return page(
      t("embedOpen.title"),
      <Card>
        <p class="mb-4">{t("embedOpen.as", { name: who.displayName, origin: who.origin })}</p>
        <form method="post" action="/embed/open">
          <input type="hidden" name="ticket" value={ticket} />
          <input type="hidden" name="next" value={next} />
          <button type="submit" class="px-4 py-2 rounded-md bg-accent text-accent-fg font-semibold">
            {t("embedOpen.continue")}
          </button>
        </form>
      </Card>,
    );
  });
  app.post("/open", requireSameOrigin(deps), async (c) => {
    const form = await c.req.parseBody();
    const ticket = typeof form.ticket === "string" ? form.ticket : "";
    const next = safeNext(typeof form.next === "string" ? form.next : null);
    const r = ticket
      ? await redeemOpenTicket(deps, ticket, {
        ip: clientIp(c, deps.config.trustedProxies),
        userAgent: c.req.header("user-agent") ?? "",
      })
      : null;
    if (!r) return page(t("embedOpen.title"), expiredView(next), 400);
    setSessionCookie(c, deps, r);
    return c.redirect(next, 303);
  });
  return app;
}
