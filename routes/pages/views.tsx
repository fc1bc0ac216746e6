/** The server-rendered bodies of the pages; `mod.ts` wraps them in the document shell. */
import { t } from "../../i18n/mod.ts";
import { ChatApp } from "../../islands/chat/ChatApp.tsx";
import { LoginForm, type LoginProps } from "../../islands/LoginForm.tsx";
import type { AppCtx } from "../../islands/chat/state.ts";
import type { Me } from "../../realtime/client.ts";
import { DemoPage } from "./demo.tsx";

export function loginView(props: LoginProps) {
  return (
    <main class="min-h-full flex items-center justify-center p-4 bg-sidebar">
      <div class="w-full max-w-sm rounded-xl border border-line bg-main p-6 shadow-lg">
        <h1 class="text-2xl font-bold mb-5 flex items-center gap-2">
          <span aria-hidden="true">💬</span> {t("login.title")}
        </h1>
        <div id="login-island">
          <LoginForm {...props} />
        </div>
      </div>
    </main>
  );
}

/** GET /logout: a button that signs out with a POST (works without JavaScript). */
export function logoutView() {
  return (
    <main class="min-h-full flex items-center justify-center p-4 bg-sidebar">
      <div class="w-full max-w-sm rounded-xl border border-line bg-main p-6 shadow-lg">
        <h1 class="text-2xl font-bold mb-5">{t("logout.title")}</h1>
        <form method="post" action="/logout" class="flex gap-3">
          <button type="submit" class="rounded-md bg-accent text-accent-fg px-4 py-2 font-semibold">
            {t("header.logout")}
          </button>
          <a href="/chat" class="px-4 py-2 underline">{t("logout.stay")}</a>
        </form>
      </div>
    </main>
  );
}

export function chatView(ctx: AppCtx) {
  return (
    <div id="chat-island" class="h-full">
      <ChatApp ctx={ctx} />
    </div>
  );
}

export function demoView(page: "dashboard" | "tickets", me: Me | null) {
  return <DemoPage page={page} me={me} />;
}
