/** The sign-in form: labelled fields, a clear message on a wrong password and on a locked account. */
import { useSignal } from "@preact/signals";
import { fmtTime, t } from "../i18n/mod.ts";

export interface LoginProps {
  next: string;
  demoPassword: string | null;
}

export function LoginForm({ next, demoPassword }: LoginProps) {
  const error = useSignal("");
  const busy = useSignal(false);

  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get("username") ?? "").trim();
    const password = String(data.get("password") ?? "");
    if (!username || !password) {
      error.value = t("login.required");
      return;
    }
    busy.value = true;
    error.value = "";
    try {
      const res = await fetch("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
      if (res.ok) {
        location.assign(next);
        return;
      }
      const body = await res.json().catch(() => ({}));
      const err = body?.error ?? {};
      if (err.code === "bad_credentials") error.value = t("login.wrong");
      else if (err.code === "locked") {
        const time = err.lockedUntil ? fmtTime(err.lockedUntil) : "";
        error.value = /address/.test(err.message ?? "")
          ? t("login.lockedIp", { time })
          : t("login.locked", { time });
      } else error.value = t("login.failed", { message: err.message ?? res.statusText });
    } catch (e) {
      error.value = t("login.failed", { message: (e as Error).message });
    } finally {
      busy.value = false;
    }
  }

  return (
    <form
      method="post"
      action="/login"
      onSubmit={submit}
      noValidate
      aria-describedby={error.value ? "login-error" : undefined}
      class="flex flex-col gap-4"
    >
      <div
        id="login-error"
        role="alert"
        class={error.value
          ? "rounded-md border border-danger bg-danger-bg text-fg px-3 py-2 text-sm"
          : "sr-only"}
      >
        {error.value}
      </div>
      <label class="flex flex-col gap-1 text-sm font-medium">
        {t("login.username")}
        <input
          name="username"
          autocomplete="username"
          autoFocus
          required
          class="rounded-md border border-line bg-input text-fg px-3 py-2 text-base"
        />
      </label>
      <label class="flex flex-col gap-1 text-sm font-medium">
        {t("login.password")}
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          class="rounded-md border border-line bg-input text-fg px-3 py-2 text-base"
        />
      </label>
      <button
        type="submit"
        disabled={busy.value}
        class="rounded-md bg-accent text-accent-fg font-semibold px-4 py-2 disabled:opacity-60"
      >
        {busy.value ? t("login.submitting") : t("login.submit")}
      </button>
      {demoPassword && <p class="text-sm text-muted">{t("login.demoHint", { password: demoPassword })}</p>}
    </form>
  );
}
