/**
 * Call pages: /calls/test (the self-test island) and /calls/history (my calls, rendered on the server:
 * when, where, who started it, how long, how it went for me). Mounted by `mod.ts`.
 */
import { Hono } from "hono";
import type { Deps } from "../../domain/deps.ts";
import * as calls from "../../domain/calls.ts";
import * as channels from "../../domain/channels.ts";
import * as users from "../../domain/users.ts";
import type { AppEnv } from "../env.ts";
import type { Manifest } from "../../cli/build.ts";
import { renderDocument } from "../../components/Document.tsx";
import { fmtList, t } from "../../i18n/mod.ts";
import { formatDuration } from "../../domain/call_state.ts";
import { callsTestView } from "../../islands/calls/SelfTestPage.tsx";
import { pageActor } from "./session.ts";

export function callPages(deps: Deps, manifest: Manifest, html: (body: string) => Response) {
  const app = new Hono<AppEnv>();

  app.get("/test", async (c) => {
    if (!(await pageActor(deps, c))) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    return html(renderDocument({
      title: `${t("calls.test.title")} · ${t("app.name")}`,
      manifest,
      island: "calls_test",
      props: {},
      children: callsTestView(),
    }));
  });

  app.get("/history", async (c) => {
    const actor = await pageActor(deps, c);
    if (!actor) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    const [list, mine, people] = await Promise.all([
      calls.history(deps, actor, { limit: "100" }),
      channels.listMine(deps, actor),
      users.search(deps, actor, { limit: "100" }),
    ]);
    const name = new Map(people.map((u) => [u.id, u.displayName]));
    const where = new Map(mine.map((ch) => [ch.id, ch.displayName]));
    const outcome = (x: typeof list[number]) =>
      x.state !== "ended"
        ? t("calls.history.live")
        : x.myState === "missed"
        ? t("calls.history.missed")
        : x.myState === "declined"
        ? t("calls.history.declined")
        : x.answeredAt && x.participants.some((p) => p.userId === actor.userId && p.joinedAt)
        ? formatDuration(new Date(x.endedAt!).getTime() - new Date(x.answeredAt).getTime())
        : t(`calls.history.${x.endReason ?? "missed"}` as "calls.history.missed");
    return html(renderDocument({
      title: `${t("calls.history.title")} · ${t("app.name")}`,
      manifest,
      children: (
        <main class="max-w-3xl mx-auto p-6 bg-main text-fg min-h-full">
          <p class="mb-2">
            <a href="/chat" class="underline">{t("calls.history.back")}</a>
          </p>
          <h1 class="text-2xl font-bold mb-4">{t("calls.history.title")}</h1>
          {list.length === 0
            ? <p>{t("calls.history.none")}</p>
            : (
              <table class="w-full text-sm border border-line">
                <caption class="sr-only">{t("calls.history.title")}</caption>
                <thead>
                  <tr>
                    <th scope="col" class="text-left p-2">{t("calls.history.when")}</th>
                    <th scope="col" class="text-left p-2">{t("calls.history.where")}</th>
                    <th scope="col" class="text-left p-2">{t("calls.history.kind")}</th>
                    <th scope="col" class="text-left p-2">{t("calls.history.startedBy")}</th>
                    <th scope="col" class="text-left p-2">{t("calls.history.joined")}</th>
                    <th scope="col" class="text-left p-2">{t("calls.history.result")}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((x) => (
                    <tr key={x.id} class="border-t border-line">
                      <td class="p-2">
                        <time dateTime={x.startedAt}>
                          {new Date(x.startedAt).toISOString().slice(0, 16)}Z
                        </time>
                      </td>
                      <td class="p-2">
                        <a class="underline" href={`/chat/${x.channelId}`}>{where.get(x.channelId) ?? "?"}</a>
                      </td>
                      <td class="p-2">
                        {x.media === "video" ? t("calls.history.video") : t("calls.history.audio")}
                      </td>
                      <td class="p-2">{name.get(x.startedBy ?? 0) ?? "?"}</td>
                      <td class="p-2">
                        {fmtList(
                          x.participants.filter((p) => p.joinedAt).map((p) => name.get(p.userId) ?? "?"),
                        )}
                      </td>
                      <td class="p-2">{outcome(x)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </main>
      ),
    }));
  });
  return app;
}
