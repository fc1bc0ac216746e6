/**
 * /invite/<token>: the page of a one-time invitation or password-reset link. A plain form (no script): the
 * person chooses a password, which is set once through the same domain function as POST
 * /api/invitations/accept; then they sign in.
 */
import { Hono } from "hono";
import type { Deps } from "../../../domain/deps.ts";
import type { AppEnv } from "../../env.ts";
import type { Manifest } from "../../../cli/build.ts";
import { renderDocument } from "../../../components/Document.tsx";
import * as people from "../../../domain/admin/people.ts";
import { requireSameOrigin } from "../../middleware/auth.ts";
import { AppError } from "../../../domain/errors.ts";

export function invitePages(deps: Deps, manifest: () => Manifest): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const page = (title: string, body: preact.ComponentChildren, status = 200) =>
    new Response(
      renderDocument({
        title: `${title} · Parley`,
        manifest: manifest(),
        children: (
          <main class="min-h-full flex items-center justify-center p-4 bg-sidebar">
            <div class="w-full max-w-sm rounded-xl border border-line bg-main p-6 shadow-lg">
              <h1 class="text-2xl font-bold mb-4">{title}</h1>
              {body}
            </div>
          </main>
        ),
      }),
      {
        status,
        headers: {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "x-frame-options": "DENY",
          "referrer-policy": "no-referrer",
        },
      },
    );
  const gone = () =>
    page(
      "Link expired",
      <p>This link has expired or was already used. Ask an administrator for a new one.</p>,
      410,
    );
  const form = (who: { displayName: string; username: string }, error?: string) => (
    <form method="post" class="flex flex-col gap-3">
      <p>
        Welcome, {who.displayName} (@{who.username}). Choose a password to sign in.
      </p>
      <label class="flex flex-col gap-1 text-sm">
        <span class="font-semibold">New password</span>
        <input
          class="px-2 py-1.5 rounded border border-line bg-input text-fg"
          type="password"
          name="password"
          autocomplete="new-password"
          minLength={8}
          required
          aria-describedby={error ? "invite-error" : undefined}
        />
      </label>
      {error && <p id="invite-error" role="alert" class="text-danger text-sm">{error}</p>}
      <button class="px-3 py-2 rounded bg-accent text-accent-fg font-semibold" type="submit">
        Set password
      </button>
    </form>
  );

  app.get("/:token", async (c) => {
    const who = await people.inviteeOf(deps, c.req.param("token"));
    return who ? page(who.kind === "invite" ? "Join Parley" : "Choose a new password", form(who)) : gone();
  });
  app.post("/:token", requireSameOrigin(deps), async (c) => {
    const token = c.req.param("token");
    const who = await people.inviteeOf(deps, token);
    if (!who) return gone();
    const f = await c.req.parseBody();
    try {
      await people.acceptInvite(deps, { token, password: typeof f.password === "string" ? f.password : "" });
    } catch (e) {
      if (e instanceof AppError && e.status < 500) {
        return page("Choose a password", form(who, e.message), 400);
      }
      throw e;
    }
    return c.redirect("/login");
  });
  return app;
}
