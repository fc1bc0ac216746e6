/**
 * "Change password" in the settings dialog: current password and a new one, errors shown next to the field
 * they concern (the server's `issues` carry the field), the same length rule as the server before sending.
 */
import { useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../shared/password_rules.ts";
import { useApp } from "./state.ts";

type Field = "currentPassword" | "newPassword";

export function PasswordForm() {
  const { client } = useApp();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<Partial<Record<Field | "form", string>>>({});
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(false);
    const local: typeof errors = {};
    if (!current) local.currentPassword = t("password.required");
    if (next.length < PASSWORD_MIN) local.newPassword = t("password.tooShort", { min: PASSWORD_MIN });
    else if (next === current) local.newPassword = t("password.same");
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await client.rest.changePassword(current, next);
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (err) {
      const e = err as { message?: string; code?: string };
      const m = /^(currentPassword|newPassword): (.*)$/.exec(e.message ?? "");
      setErrors(
        m ? { [m[1]]: m[2][0].toUpperCase() + m[2].slice(1) + "." } : { form: e.message ?? String(err) },
      );
    } finally {
      setBusy(false);
    }
  };

  const field = (name: Field, label: string, value: string, set: (v: string) => void, hint?: string) => (
    <label class="flex flex-col gap-1 text-sm">
      {label}
      <input
        type="password"
        name={name}
        value={value}
        maxLength={PASSWORD_MAX}
        autocomplete={name === "currentPassword" ? "current-password" : "new-password"}
        aria-invalid={errors[name] ? "true" : undefined}
        aria-describedby={`${name}-msg`}
        onInput={(e) => set((e.target as HTMLInputElement).value)}
        class="rounded-md border border-line bg-input text-fg px-2 py-1.5"
      />
      <span id={`${name}-msg`} class={errors[name] ? "text-xs text-danger" : "text-xs text-muted"}>
        {errors[name] ?? hint ?? ""}
      </span>
    </label>
  );

  return (
    <form
      onSubmit={submit}
      aria-labelledby="password-title"
      class="flex flex-col gap-2 mt-6 pt-4 border-t border-line"
    >
      <h3 id="password-title" class="font-semibold">{t("password.title")}</h3>
      {field("currentPassword", t("password.current"), current, setCurrent)}
      {field("newPassword", t("password.new"), next, setNext, t("password.hint", { min: PASSWORD_MIN }))}
      <div role="status" class="text-sm">
        {errors.form && <span class="text-danger">{errors.form}</span>}
        {done && <span>{t("password.changed")}</span>}
      </div>
      <div class="flex justify-end">
        <button
          type="submit"
          disabled={busy}
          class="px-3 py-1.5 rounded-md border border-line hover:bg-hover font-semibold"
        >
          {t("password.submit")}
        </button>
      </div>
    </form>
  );
}
