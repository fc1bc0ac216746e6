/**
 * "Create a channel", offered only to people who may (chat.create_channels; private only with
 * chat.access_private). The name follows the server's rule (shared/rules.ts) as you type, and what the
 * server still refuses is shown next to the field it concerns, inside the dialog.
 */
import { useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { CHANNEL_NAME_MAX, channelNameProblem } from "../../shared/rules.ts";
import { Dialog } from "./Dialog.tsx";
import { useApp } from "./state.ts";
import { input, primary } from "./Dialogs.tsx";
import type { ApiError } from "../../realtime/client.ts";

export function CreateChannelDialog({ onClose }: { onClose: () => void }) {
  const { client, navigate } = useApp();
  const perms = client.me.value?.permissions ?? [];
  const mayPrivate = perms.includes("chat.access_private");
  const [name, setName] = useState("");
  const [touched, setTouched] = useState(false);
  const [description, setDescription] = useState("");
  const [kind, setKind] = useState<"public_channel" | "private_channel">("public_channel");
  const [readOnly, setReadOnly] = useState(false);
  const [serverError, setServerError] = useState<{ field: "name" | "form"; text: string } | null>(null);
  const problem = touched ? channelNameProblem(name) : null;
  const nameError = problem ?? (serverError?.field === "name" ? serverError.text : null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (channelNameProblem(name)) return;
    try {
      const { channel } = await client.rest.createChannel({ name, description, kind, readOnly });
      await client.refreshChannels();
      onClose();
      navigate(channel.id);
    } catch (err) {
      const ae = err as ApiError;
      const aboutName = ae.code === "conflict" || /name/i.test(ae.message);
      setServerError({ field: aboutName ? "name" : "form", text: ae.message });
    }
  };
  return (
    <Dialog title={t("create.title")} onClose={onClose}>
      <form onSubmit={submit} noValidate class="flex flex-col gap-3">
        <label class="flex flex-col gap-1 text-sm">
          {t("create.name")}
          <input
            required
            value={name}
            maxLength={CHANNEL_NAME_MAX}
            aria-invalid={nameError ? "true" : undefined}
            aria-describedby={nameError ? "create-name-error create-name-hint" : "create-name-hint"}
            onInput={(e) => {
              setName((e.target as HTMLInputElement).value.toLowerCase().replace(/\s+/g, "-"));
              setTouched(true);
              if (serverError?.field === "name") setServerError(null);
            }}
            class={input}
          />
          <span id="create-name-hint" class="text-xs text-muted">{t("create.nameHint")}</span>
          {nameError && (
            <span id="create-name-error" role="alert" class="text-xs text-danger">{nameError}</span>
          )}
        </label>
        <label class="flex flex-col gap-1 text-sm">
          {t("create.description")}
          <input
            value={description}
            maxLength={500}
            onInput={(e) => setDescription((e.target as HTMLInputElement).value)}
            class={input}
          />
        </label>
        {mayPrivate && (
          <fieldset class="flex flex-col gap-1 text-sm">
            <legend class="mb-1">{t("create.visibility")}</legend>
            <label class="flex gap-2">
              <input
                type="radio"
                name="kind"
                checked={kind === "public_channel"}
                onChange={() => setKind("public_channel")}
              />
              {t("create.public")}
            </label>
            <label class="flex gap-2">
              <input
                type="radio"
                name="kind"
                checked={kind === "private_channel"}
                onChange={() => setKind("private_channel")}
              />
              {t("create.private")}
            </label>
          </fieldset>
        )}
        <label class="flex gap-2 text-sm">
          <input
            type="checkbox"
            checked={readOnly}
            onChange={(e) => setReadOnly((e.target as HTMLInputElement).checked)}
          />
          {t("create.readOnly")}
        </label>
        {serverError?.field === "form" && (
          <p role="alert" class="text-sm text-danger border border-danger rounded-md px-2 py-1.5">
            {serverError.text}
          </p>
        )}
        <div class="flex justify-end">
          <button type="submit" disabled={!name} class={primary}>{t("create.submit")}</button>
        </div>
      </form>
    </Dialog>
  );
}
