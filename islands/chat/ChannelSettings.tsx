/** Channel settings: description, read-only, members and their roles, block from posting, archive, leave. */
import { useEffect, useState } from "preact/hooks";
import type { ChannelSummary } from "../../realtime/protocol.ts";
import type { MemberRow } from "../../realtime/client.ts";
import { t } from "../../i18n/mod.ts";
import { Avatar } from "../../components/ui.tsx";
import { Dialog } from "./Dialog.tsx";
import { toast, useApp } from "./state.ts";

const input = "rounded-md border border-line bg-input text-fg px-2 py-1.5";
const small = "px-2 py-1 rounded-md border border-line hover:bg-hover text-sm";

export function ChannelSettingsDialog(
  { channel, onClose }: { channel: ChannelSummary; onClose: () => void },
) {
  const { client, ui, navigate } = useApp();
  const [members, setMembers] = useState<MemberRow[]>([]);
  const [description, setDescription] = useState(channel.description);
  const [readOnly, setReadOnly] = useState(channel.readOnly);
  const [adding, setAdding] = useState<number | "">("");
  const fail = (e: unknown) => toast(ui, t("app.error", { message: (e as Error).message }), "error");
  const load = () => client.rest.members(channel.id).then((r) => setMembers(r.members)).catch(fail);
  useEffect(() => void load(), [channel.id]);
  const call = async (action: () => Promise<unknown>) => {
    try {
      await action();
      await Promise.all([load(), client.refreshChannels()]);
      return true;
    } catch (e) {
      fail(e);
      return false;
    }
  };
  const isChannel = channel.kind === "public_channel" || channel.kind === "private_channel";
  const memberIds = new Set(members.map((m) => m.id));
  const candidates = Object.values(client.users.value).filter((u) => !memberIds.has(u.id));
  return (
    <Dialog title={t("chset.title", { name: channel.displayName })} onClose={onClose} wide>
      <div class="flex flex-col gap-5">
        {isChannel && (
          <form
            class="flex flex-col gap-2"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await call(() => client.rest.updateChannel(channel.id, { description, readOnly }))) {
                toast(ui, t("chset.saved"));
              }
            }}
          >
            <label class="flex flex-col gap-1 text-sm">
              {t("chset.description")}
              <input
                value={description}
                maxLength={500}
                onInput={(e) => setDescription((e.target as HTMLInputElement).value)}
                class={input}
              />
            </label>
            <label class="flex gap-2 text-sm">
              <input
                type="checkbox"
                checked={readOnly}
                onChange={(e) => setReadOnly((e.target as HTMLInputElement).checked)}
              />
              {t("chset.readOnly")}
            </label>
            <div>
              <button type="submit" class="px-3 py-1.5 rounded-md bg-accent text-accent-fg font-semibold">
                {t("chset.save")}
              </button>
            </div>
          </form>
        )}
        <section aria-labelledby="chset-members">
          <h3 id="chset-members" class="font-semibold mb-2">{t("chset.members")}</h3>
          <ul class="flex flex-col divide-y divide-line">
            {members.map((m) => (
              <li key={m.id} class="flex flex-wrap items-center gap-2 py-1.5 text-sm">
                <Avatar name={m.displayName} id={m.id} size={24} />
                <span class="flex-1 min-w-[8rem]">
                  {m.displayName} <span class="text-muted">@{m.username}</span>
                  {m.canPost === false && <span class="text-danger text-xs">({t("chset.blocked")})</span>}
                </span>
                {isChannel && (
                  <select
                    aria-label={t("chset.role", { name: m.displayName })}
                    value={m.role}
                    onChange={(e) =>
                      call(() =>
                        client.rest.setMemberRole(channel.id, m.id, (e.target as HTMLSelectElement).value)
                      )}
                    class={input}
                  >
                    {["owner", "admin", "moderator", "member"].map((r) => (
                      <option key={r} value={r}>{r}</option>
                    ))}
                  </select>
                )}
                {isChannel && (
                  <button
                    type="button"
                    class={small}
                    onClick={() => call(() => client.rest.setBlocked(channel.id, m.id, m.canPost !== false))}
                  >
                    {m.canPost !== false ? t("chset.block") : t("chset.unblock")}
                  </button>
                )}
                {m.id !== client.me.value?.id && channel.kind !== "direct_message" && (
                  <button
                    type="button"
                    class={small}
                    onClick={() => call(() => client.rest.removeMember(channel.id, m.id))}
                  >
                    {t("chset.remove")}
                  </button>
                )}
              </li>
            ))}
          </ul>
          {channel.kind !== "direct_message" && (
            <div class="flex items-end gap-2 mt-2">
              <label class="flex flex-col gap-1 text-sm flex-1">
                {t("chset.add")}
                <select
                  value={adding}
                  onChange={(e) => setAdding(Number((e.target as HTMLSelectElement).value) || "")}
                  class={input}
                >
                  <option value="">—</option>
                  {candidates.map((u) => <option key={u.id} value={u.id}>{u.displayName}</option>)}
                </select>
              </label>
              <button
                type="button"
                disabled={adding === ""}
                class="px-3 py-1.5 rounded-md bg-accent text-accent-fg font-semibold disabled:opacity-50"
                onClick={async () => {
                  if (adding !== "" && await call(() => client.rest.addMembers(channel.id, [adding]))) {
                    setAdding("");
                  }
                }}
              >
                {t("chset.addButton")}
              </button>
            </div>
          )}
        </section>
        <div class="flex flex-wrap gap-2 border-t border-line pt-3">
          {isChannel && (
            <button
              type="button"
              class={small}
              onClick={() => call(() => client.rest.setArchived(channel.id, !channel.archived))}
            >
              {channel.archived ? t("chset.unarchive") : t("chset.archive")}
            </button>
          )}
          {channel.kind !== "direct_message" && (
            <button
              type="button"
              class={small}
              onClick={async () => {
                if (await call(() => client.rest.leave(channel.id))) {
                  onClose();
                  navigate(null);
                }
              }}
            >
              {t("chset.leave")}
            </button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
