/**
 * The call itself: video tiles (the active speaker outlined), remote audio, the quality indicator, and the
 * controls (mute, camera, devices, screen share, picture-in-picture, hang up). Full size while the call's
 * conversation is open; a small floating window (picture-in-picture) while another conversation is.
 * Keyboard: when the call starts, focus moves to its controls (a toolbar: Tab or the arrow keys); when it
 * ends, focus goes back where it was (or to the rating). Who is in the call is announced in a live region.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { Avatar, cx } from "../../components/ui.tsx";
import type { ActiveCall, CallManager, PeerView } from "./call_client.ts";
import type { People } from "./IncomingCall.tsx";
import { MediaView } from "./MediaView.tsx";
import type { Quality } from "./quality.ts";
import { restoreFocus, toolbarKeys } from "./focus.ts";

const ctl = "px-3 py-1.5 rounded-md text-sm border border-line bg-main text-fg hover:bg-hover";

export function CallPanel({ calls, people, mini, onReturn }: {
  calls: CallManager;
  people: People;
  mini: boolean;
  onReturn: () => void;
}) {
  const a = calls.active.value!;
  const title = t("calls.with", { name: people.channel(a.channelId) });
  const speaker = calls.chosen.value.speaker;
  const main = a.peers.find((p) => p.userId === a.speaking) ?? a.peers[0];
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    const before = document.activeElement;
    panel.current?.querySelector<HTMLButtonElement>("[role=toolbar] button")?.focus();
    return () => restoreFocus(before);
  }, []);
  const names = a.peers.filter((p) => p.state === "connected").map((p) => people.name(p.userId));
  return (
    <section
      ref={panel}
      aria-label={title}
      class={cx(
        "fixed z-40 bg-[#111827] text-white shadow-2xl rounded-xl flex flex-col",
        mini ? "bottom-4 right-4 w-72 p-2" : "top-16 right-4 bottom-4 w-[min(760px,calc(100%-2rem))] p-3",
      )}
    >
      <div class="flex items-center gap-2 mb-2">
        <h2 class="font-semibold truncate flex-1">{title}</h2>
        <QualityBadge q={a.quality} />
        {mini && (
          <button type="button" class="text-sm underline" onClick={onReturn}>
            {t("calls.return")}
          </button>
        )}
      </div>
      {a.peers.map((p) => (
        <MediaView
          key={`a${p.userId}`}
          kind="audio"
          stream={p.audio}
          label={people.name(p.userId)}
          sinkId={speaker}
        />
      ))}
      {mini
        ? (main
          ? <Tile p={main} people={people} speaking={a.speaking === main.userId} />
          : <p class="text-sm p-2">{t("calls.waiting")}</p>)
        : <Grid a={a} people={people} />}
      <Controls a={a} calls={calls} mini={mini} />
      <p role="status" class="sr-only">
        {names.length ? t("calls.inCallWith", { names: names.join(", ") }) : t("calls.waiting")}
      </p>
      {calls.error.value && <p role="alert" class="text-sm text-[#fca5a5] mt-1">{calls.error.value}</p>}
    </section>
  );
}

function Grid({ a, people }: { a: ActiveCall; people: People }) {
  const screens = a.peers.filter((p) => p.screen);
  return (
    <div class="flex-1 min-h-0 grid gap-2 grid-cols-2 auto-rows-fr overflow-hidden">
      {a.peers.length === 0 && <p class="col-span-2 self-center text-center">{t("calls.waiting")}</p>}
      {a.peers.map((p) => <Tile key={p.userId} p={p} people={people} speaking={a.speaking === p.userId} />)}
      {screens.map((p) => (
        <figure key={`s${p.userId}`} class="relative rounded-lg overflow-hidden bg-black m-0">
          <MediaView
            stream={p.screen}
            label={t("calls.screenOf", { name: people.name(p.userId) })}
            class="w-full h-full object-contain"
          />
          <figcaption class="absolute bottom-1 left-1 text-xs bg-black/60 px-1 rounded">
            {t("calls.screenOf", { name: people.name(p.userId) })}
          </figcaption>
        </figure>
      ))}
      <figure class="relative rounded-lg overflow-hidden bg-black m-0">
        {a.cameraOn
          ? (
            <MediaView
              stream={a.local}
              muted
              label={t("calls.you")}
              class="w-full h-full object-cover -scale-x-100"
            />
          )
          : (
            <div class="w-full h-full flex items-center justify-center text-sm">
              {t("calls.cameraOffYou")}
            </div>
          )}
        <figcaption class="absolute bottom-1 left-1 text-xs bg-black/60 px-1 rounded">
          {t("calls.you")}
          {a.muted ? ` · ${t("calls.muted")}` : ""}
          {a.sharing ? ` · ${t("calls.youShare")}` : ""}
        </figcaption>
      </figure>
    </div>
  );
}

function Tile({ p, people, speaking }: { p: PeerView; people: People; speaking: boolean }) {
  const name = people.name(p.userId);
  const sharing = p.media.screen === "replace";
  const label = sharing ? t("calls.screenOf", { name }) : t("calls.cameraOf", { name });
  const video = p.media.video || sharing;
  return (
    <figure
      class={cx(
        "relative rounded-lg overflow-hidden bg-black m-0 min-h-[8rem]",
        speaking && "ring-4 ring-[#22c55e]",
      )}
      data-user-id={p.userId}
    >
      {video && p.camera
        ? <MediaView stream={p.camera} label={label} class="w-full h-full object-contain" />
        : (
          <div class="w-full h-full flex items-center justify-center">
            <Avatar name={name} id={p.userId} url={people.avatar(p.userId)} size={64} />
          </div>
        )}
      <figcaption class="absolute bottom-1 left-1 text-xs bg-black/60 px-1 rounded">
        {sharing ? t("calls.isSharing", { name }) : name}
        {!p.media.audio ? ` · ${t("calls.muted")}` : ""}
        {speaking ? <span class="sr-only">{` · ${t("calls.speaking")}`}</span> : ""}
        {p.state !== "connected" ? ` · ${t(`calls.peer.${p.state}` as "calls.peer.new")}` : ""}
      </figcaption>
      {p.quality && (
        <span class="absolute top-1 right-1">
          <QualityBadge q={p.quality} />
        </span>
      )}
      <PipButton name={name} />
    </figure>
  );
}

function PipButton({ name }: { name: string }) {
  const ref = useRef<HTMLButtonElement>(null);
  if (!("pictureInPictureEnabled" in document) || !document.pictureInPictureEnabled) return null;
  return (
    <button
      ref={ref}
      type="button"
      class="absolute top-1 left-1 text-xs bg-black/60 px-1 rounded"
      aria-label={t("calls.pipOf", { name })}
      onClick={() => {
        const v = ref.current?.parentElement?.querySelector("video");
        if (v) void v.requestPictureInPicture().catch(() => {});
      }}
    >
      {t("calls.pip")}
    </button>
  );
}

export function QualityBadge({ q }: { q: Quality | null }) {
  const level = q?.level ?? "unknown";
  const color = { good: "#22c55e", fair: "#eab308", poor: "#ef4444", unknown: "#9ca3af" }[level];
  const text = t(`calls.quality.${level}` as "calls.quality.good");
  return (
    <span
      role="img"
      tabIndex={0}
      aria-label={`${t("calls.quality")}: ${text}. ${q?.explanation ?? ""}`}
      title={q?.explanation ?? text}
      class="inline-flex items-end gap-0.5 h-4"
    >
      {[1, 2, 3].map((i) => (
        <span
          key={i}
          class="w-1 rounded-sm"
          style={`height:${i * 4}px;background:${
            i <= ({ good: 3, fair: 2, poor: 1, unknown: 0 }[level]) ? color : "#4b5563"
          }`}
        />
      ))}
    </span>
  );
}

function Controls({ a, calls, mini }: { a: ActiveCall; calls: CallManager; mini: boolean }) {
  const [devices, setDevices] = useState(false);
  const mayShare = calls.can("chat.screen_share");
  const bar = useRef<HTMLDivElement>(null);
  // Sharing swaps "Share screen" for "Stop sharing" (and back): the focus follows instead of being lost.
  const sharing = !!a.sharing;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) return void (first.current = false);
    if (document.activeElement && document.activeElement !== document.body) return;
    const name = sharing ? t("calls.stopShare") : t("calls.share");
    [...(bar.current?.querySelectorAll("button") ?? [])].find((b) => b.textContent === name)?.focus();
  }, [sharing]);
  return (
    <div
      ref={bar}
      role="toolbar"
      aria-label={t("calls.controls")}
      class="flex flex-wrap gap-2 mt-2 items-center"
      onKeyDown={toolbarKeys}
    >
      <button type="button" class={ctl} aria-pressed={a.muted} onClick={() => calls.toggleMute()}>
        {t("calls.mute")}
      </button>
      {!mini && (
        <button
          type="button"
          class={ctl}
          aria-pressed={a.cameraOn}
          onClick={() => calls.toggleCamera()}
        >
          {t("calls.camera")}
        </button>
      )}
      {!mini && mayShare && !a.sharing && (
        <>
          <button type="button" class={ctl} onClick={() => calls.shareScreen("replace")}>
            {t("calls.share")}
          </button>
          <button type="button" class={ctl} onClick={() => calls.shareScreen("beside")}>
            {t("calls.shareBeside")}
          </button>
        </>
      )}
      {!mini && a.sharing && (
        <button type="button" class={ctl} onClick={() => calls.stopSharing()}>{t("calls.stopShare")}</button>
      )}
      {!mini && (
        <button
          type="button"
          class={ctl}
          aria-expanded={devices}
          aria-controls={devices ? "call-devices" : undefined}
          onClick={() => setDevices(!devices)}
        >
          {t("calls.devices")}
        </button>
      )}
      <button
        type="button"
        class="px-3 py-1.5 rounded-md text-sm font-semibold text-white ml-auto"
        style="background:#b91c1c"
        onClick={() => calls.hangUp()}
      >
        {t("calls.hangUp")}
      </button>
      {devices && !mini && <DevicePicker calls={calls} />}
    </div>
  );
}

function DevicePicker({ calls }: { calls: CallManager }) {
  const list = calls.devices.value;
  const pick = (kind: MediaDeviceKind, which: "mic" | "camera" | "speaker", label: string) => {
    const options = list.filter((d) => d.kind === kind);
    if (!options.length) return null;
    return (
      <label class="flex flex-col text-xs gap-1">
        {label}
        <select
          class="text-fg bg-input border border-line rounded px-1 py-1 text-sm"
          value={calls.chosen.value[which] ?? ""}
          onChange={(e) => calls.chooseDevice(which, (e.target as HTMLSelectElement).value)}
        >
          {options.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>{d.label || `${label} ${i + 1}`}</option>
          ))}
        </select>
      </label>
    );
  };
  return (
    <div id="call-devices" role="group" aria-label={t("calls.devices")} class="w-full flex flex-wrap gap-3">
      {pick("audioinput", "mic", t("calls.microphone"))}
      {pick("videoinput", "camera", t("calls.cameraDevice"))}
      {pick("audiooutput", "speaker", t("calls.speaker"))}
    </div>
  );
}
