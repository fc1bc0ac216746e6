/**
 * The calls self-test at /calls/test: camera and microphone permission with a preview, then two loopback
 * connections inside this page, one through STUN (direct paths) and one forced through TURN (relay only),
 * reporting which ICE candidate types were gathered and whether each connected. An administrator sees in
 * one place whether calls can connect from this network.
 */
import { useRef, useState } from "preact/hooks";
import { t } from "../../i18n/mod.ts";
import { MediaView } from "./MediaView.tsx";

interface IceAnswer {
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  iceTransportPolicy: RTCIceTransportPolicy;
}

export interface LoopResult {
  name: string;
  configured: boolean;
  gathered: string[];
  connected: boolean;
  pair: string;
  error?: string;
}

/** Two peer connections in one page, connected through the given servers; resolves with what happened. */
export async function loopback(
  name: string,
  servers: RTCIceServer[],
  policy: RTCIceTransportPolicy,
  timeoutMs = 10_000,
): Promise<LoopResult> {
  const cfg: RTCConfiguration = { iceServers: servers, iceTransportPolicy: policy };
  const a = new RTCPeerConnection(cfg);
  const b = new RTCPeerConnection(cfg);
  const gathered = new Set<string>();
  const wire = (from: RTCPeerConnection, to: RTCPeerConnection) => {
    from.onicecandidate = (e) => {
      if (!e.candidate) return;
      if (e.candidate.type) gathered.add(e.candidate.type);
      void to.addIceCandidate(e.candidate).catch(() => {});
    };
  };
  wire(a, b);
  wire(b, a);
  try {
    const dc = a.createDataChannel("selftest");
    const open = new Promise<boolean>((resolve) => {
      dc.onopen = () => resolve(true);
      setTimeout(() => resolve(false), timeoutMs);
    });
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    const connected = await open;
    // The pair in use shows in the statistics a moment after the channel opens (on a busy machine, later).
    let pair = "";
    for (let i = 0; connected && !pair && i < 25; i++) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      pair = pairInUse(await a.getStats());
    }
    return { name, configured: true, gathered: [...gathered].sort(), connected, pair };
  } catch (e) {
    return { name, configured: true, gathered: [...gathered], connected: false, pair: "", error: String(e) };
  } finally {
    a.close();
    b.close();
  }
}

/** "relay/udp ↔ relay/udp": the candidate types and protocols of the pair the transport selected. */
function pairInUse(stats: RTCStatsReport): string {
  const byId = new Map<string, Record<string, unknown>>();
  stats.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
  const all = [...byId.values()];
  const selected = all.find((s) => s.type === "transport" && typeof s.selectedCandidatePairId === "string");
  const p = selected
    ? byId.get(String(selected.selectedCandidatePairId))
    : all.find((s) => s.type === "candidate-pair" && s.state === "succeeded" && s.nominated);
  const l = p && byId.get(String(p.localCandidateId));
  const r = p && byId.get(String(p.remoteCandidateId));
  return l && r ? `${l.candidateType}/${l.protocol} ↔ ${r.candidateType}/${r.protocol}` : "";
}

export function SelfTest() {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [media, setMedia] = useState<string>("");
  const [results, setResults] = useState<LoopResult[] | null>(null);
  const [running, setRunning] = useState(false);
  const [servers, setServers] = useState<string[]>([]);
  const level = useRef<HTMLMeterElement>(null);

  const testMedia = async () => {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      setStream(s);
      const [v] = s.getVideoTracks();
      const [m] = s.getAudioTracks();
      setMedia(t("calls.test.mediaOk", { camera: v?.label ?? "-", mic: m?.label ?? "-" }));
      const ctx = new AudioContext();
      const an = ctx.createAnalyser();
      ctx.createMediaStreamSource(s).connect(an);
      const buf = new Uint8Array(an.fftSize);
      const tick = () => {
        an.getByteTimeDomainData(buf);
        let peak = 0;
        for (const x of buf) peak = Math.max(peak, Math.abs(x - 128));
        if (level.current) level.current.value = peak / 128;
        requestAnimationFrame(tick);
      };
      tick();
    } catch (e) {
      setMedia(t("calls.test.mediaFailed", { message: (e as Error).message }));
    }
  };

  const testNetwork = async () => {
    setRunning(true);
    setResults(null);
    try {
      const res = await fetch("/api/chat/calls/ice", { credentials: "same-origin" });
      const ice: IceAnswer = await res.json();
      setServers(ice.iceServers.flatMap((s) => s.urls));
      const stun = ice.iceServers.filter((s) => s.urls.every((u) => u.startsWith("stun:")));
      const turn = ice.iceServers.filter((s) => s.urls.some((u) => u.startsWith("turn")));
      const out: LoopResult[] = [await loopback(t("calls.test.stun"), stun, "all")];
      out.push(
        turn.length
          ? await loopback(t("calls.test.turn"), turn, "relay")
          : { name: t("calls.test.turn"), configured: false, gathered: [], connected: false, pair: "" },
      );
      setResults(out);
    } finally {
      setRunning(false);
    }
  };

  return (
    <main class="max-w-3xl mx-auto p-6 flex flex-col gap-6">
      <h1 class="text-2xl font-bold">{t("calls.test.title")}</h1>
      <section aria-labelledby="st-media" class="flex flex-col gap-2">
        <h2 id="st-media" class="text-lg font-semibold">{t("calls.test.media")}</h2>
        <button
          type="button"
          class="self-start px-3 py-1.5 rounded-md bg-accent text-accent-fg"
          onClick={testMedia}
        >
          {t("calls.test.mediaButton")}
        </button>
        <p role="status">{media}</p>
        {stream && (
          <>
            <MediaView
              stream={stream}
              muted
              label={t("calls.test.preview")}
              class="w-80 rounded-lg bg-black"
            />
            <label class="flex items-center gap-2 text-sm">
              {t("calls.test.micLevel")}
              <meter ref={level} min={0} max={1} value={0} />
            </label>
          </>
        )}
      </section>
      <section aria-labelledby="st-net" class="flex flex-col gap-2">
        <h2 id="st-net" class="text-lg font-semibold">{t("calls.test.network")}</h2>
        <p class="text-sm text-muted">{t("calls.test.networkHelp")}</p>
        <button
          type="button"
          class="self-start px-3 py-1.5 rounded-md bg-accent text-accent-fg disabled:opacity-50"
          disabled={running}
          onClick={testNetwork}
        >
          {running ? t("calls.test.running") : t("calls.test.networkButton")}
        </button>
        {servers.length > 0 && <p class="text-sm">{t("calls.test.servers", { list: servers.join(", ") })}</p>}
        {results && (
          <table aria-label={t("calls.test.results")} class="text-sm border border-line">
            <thead>
              <tr>
                <th scope="col" class="text-left p-2">{t("calls.test.colTest")}</th>
                <th scope="col" class="text-left p-2">{t("calls.test.colTypes")}</th>
                <th scope="col" class="text-left p-2">{t("calls.test.colConnected")}</th>
                <th scope="col" class="text-left p-2">{t("calls.test.colPair")}</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={r.name} class="border-t border-line">
                  <th scope="row" class="text-left p-2 font-normal">{r.name}</th>
                  <td class="p-2">
                    {r.configured ? r.gathered.join(", ") || "—" : t("calls.test.notConfigured")}
                  </td>
                  <td class="p-2">{r.connected ? t("calls.test.yes") : t("calls.test.no")}</td>
                  <td class="p-2">{r.pair || r.error || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
