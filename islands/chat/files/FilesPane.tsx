/**
 * The "Files" view of a conversation: everything shared in it, newest first, with a thumbnail or type,
 * size, who shared it and when; each opens (or downloads) the file or jumps to the message that carries
 * it. Read from GET /api/chat/channels/{id}/files, which checks membership like history does; it reloads
 * when a message arrives or goes, so deleted messages take their files with them here too.
 */
import { useEffect, useState } from "preact/hooks";
import type { ChannelSummary } from "../../../realtime/protocol.ts";
import type { ChannelFile } from "../../../realtime/client/rest.ts";
import { fmtFull, fmtTime, t } from "../../../i18n/mod.ts";
import { toast, useApp } from "../state.ts";
import { fmtSize } from "./uploads.ts";
import { SidePane } from "../SidePane.tsx";

const PAGE = 50;
const fileUrl = (f: ChannelFile, thumb = false) => `/api/chat/files/${f.id}${thumb ? "?variant=thumb" : ""}`;
const KIND_LABEL: Record<string, string> = { image: "Image", video: "Video", audio: "Audio", pdf: "PDF" };

export function FilesPane({ channel }: { channel: ChannelSummary }) {
  const { client, ui, navigate, userName } = useApp();
  const [files, setFiles] = useState<ChannelFile[] | null>(null);
  const [more, setMore] = useState(false);
  const st = client.chat.value[channel.id];
  // Changes whenever a message arrives, is edited away or deleted in this conversation.
  const version = `${st?.messages.length ?? 0}:${st?.messages.at(-1)?.id ?? 0}:${
    st?.messages.filter((m) => m.deletedAt).length ?? 0
  }`;

  const load = async (before?: number) => {
    const r = await client.rest.files(channel.id, { before, limit: PAGE });
    setMore(r.files.length === PAGE);
    return r.files;
  };
  useEffect(() => {
    load().then(setFiles).catch((e) => toast(ui, t("app.error", { message: e.message }), "error"));
  }, [channel.id, version]);

  const older = async () => {
    const last = files?.at(-1);
    if (!last) return;
    try {
      const next = await load(last.id);
      setFiles([...files!, ...next]);
    } catch (e) {
      toast(ui, t("app.error", { message: (e as Error).message }), "error");
    }
  };

  return (
    <SidePane
      id="files-title"
      title={t("files.title")}
      subtitle={channel.displayName}
      closeLabel={t("files.close")}
      onClose={() => (ui.filesOpen.value = false)}
    >
      <div class="flex-1 overflow-y-auto p-2">
        {files === null
          ? null
          : files.length === 0
          ? <p class="p-4 text-sm text-muted">{t("files.none")}</p>
          : (
            <ul aria-label={t("files.list", { name: channel.displayName })} class="space-y-1">
              {files.map((f) => (
                <li key={f.id} class="flex items-center gap-3 p-2 rounded hover:bg-hover">
                  {f.kind === "image" && f.thumb
                    ? (
                      <img
                        src={fileUrl(f, true)}
                        alt=""
                        width={40}
                        height={40}
                        loading="lazy"
                        class="w-10 h-10 rounded object-cover border border-line shrink-0"
                      />
                    )
                    : (
                      <span
                        aria-hidden="true"
                        class="w-10 h-10 rounded border border-line flex items-center justify-center text-xs text-muted shrink-0"
                      >
                        {(KIND_LABEL[f.kind] ?? f.name.split(".").pop() ?? "").slice(0, 4).toUpperCase()}
                      </span>
                    )}
                  <div class="min-w-0 flex-1">
                    <a
                      href={fileUrl(f)}
                      target="_blank"
                      rel="noopener"
                      {...(f.kind === "image" || f.kind === "video" || f.kind === "audio"
                        ? {}
                        : { download: f.name })}
                      class="block truncate font-medium text-fg hover:underline"
                    >
                      {f.name}
                    </a>
                    <p class="text-xs text-muted truncate">
                      <span class="sr-only">{KIND_LABEL[f.kind] ?? f.mime},</span>
                      {t("files.meta", {
                        size: fmtSize(f.size),
                        who: f.uploaderId ? userName(f.uploaderId) : "—",
                        when: fmtTime(f.createdAt),
                      })}
                      <span class="sr-only">({fmtFull(f.createdAt)})</span>
                    </p>
                  </div>
                  <button
                    type="button"
                    class="text-xs px-2 py-1 rounded border border-line hover:bg-hover shrink-0"
                    aria-label={`${t("files.jump")}: ${f.name}`}
                    onClick={() => {
                      ui.filesOpen.value = false;
                      navigate(channel.id, f.messageId);
                    }}
                  >
                    {t("files.jump")}
                  </button>
                </li>
              ))}
            </ul>
          )}
        {more && (
          <button
            type="button"
            onClick={older}
            class="mt-2 w-full text-sm px-3 py-1.5 rounded border border-line hover:bg-hover"
          >
            {t("files.more")}
          </button>
        )}
      </div>
    </SidePane>
  );
}
