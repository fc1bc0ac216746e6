/**
 * The browser side of calls: follows live calls (`call_updated`), rings, answers, holds one `Peer` per
 * other person (mesh), relays signaling over Parley's socket (`call_signal`), measures quality and adapts
 * the video, and survives a socket reconnect (`call_rejoin`, then an ICE restart where the path broke).
 *
 * It needs only a small transport (`CallTransport`: request/ack, events, REST, connection status), which
 * the chat client and the widget's client both provide. See docs/calls.md, including where an SFU would
 * plug in: `Peer` is the only place that talks WebRTC to another person.
 */
import { computed, effect, signal } from "@preact/signals";
import type { CallInfo, CallMedia, CallSignal, ServerEvent } from "../../realtime/protocol.ts";
import { Peer, type Slot } from "./peer.ts";
import { getCamera, getMic, getScreen, listDevices } from "./media.ts";
import { applyLimits, assess, type Quality, sample, type StatsSample } from "./quality.ts";

export interface CallTransport {
  request<T = unknown>(action: string, payload?: Record<string, unknown>): Promise<T>;
  on(type: ServerEvent["type"], fn: (e: ServerEvent) => void): () => void;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  readonly status: { readonly value: "connecting" | "open" | "offline" };
  readonly me: { readonly value: { id: number; permissions?: string[] } | null };
}

export interface PeerView {
  userId: number;
  state: RTCPeerConnectionState;
  camera: MediaStream | null;
  screen: MediaStream | null;
  audio: MediaStream | null;
  media: { audio: boolean; video: boolean; screen: "off" | "replace" | "beside" };
  quality: Quality | null;
}

export interface ActiveCall {
  callId: number;
  channelId: number;
  media: CallMedia;
  muted: boolean;
  cameraOn: boolean;
  sharing: "replace" | "beside" | null;
  local: MediaStream;
  peers: PeerView[];
  speaking: number | null;
  quality: Quality | null;
}

interface IceAnswer {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
}

export class CallManager {
  readonly calls = signal<Record<number, CallInfo>>({});
  readonly active = signal<ActiveCall | null>(null);
  /** The call that just ended for this tab (offers the rating). */
  readonly ended = signal<CallInfo | null>(null);
  readonly devices = signal<MediaDeviceInfo[]>([]);
  readonly chosen = signal<{ mic: string | null; camera: string | null; speaker: string | null }>({
    mic: null,
    camera: null,
    speaker: null,
  });
  readonly error = signal<string | null>(null);
  connectionId: string | null = null;
  readonly #mine = new Set<string>();
  readonly #peers = new Map<number, Peer>();
  #local: Record<Slot, MediaStreamTrack | null> = { audio: null, camera: null, screen: null };
  #ice: RTCConfiguration | null = null;
  #prev = new Map<number, StatsSample>();
  #timers: ReturnType<typeof setInterval>[] = [];
  #off: (() => void)[] = [];

  /** Calls ringing for me that this tab is not in. */
  readonly ringing = computed(() => {
    const me = this.t.me.value?.id;
    const act = this.active.value?.callId;
    return Object.values(this.calls.value).filter((c) =>
      c.state !== "ended" && c.id !== act &&
      c.participants.some((p) => p.userId === me && p.state === "ringing")
    );
  });

  constructor(readonly t: CallTransport) {}

  start() {
    this.#off.push(this.t.on("call_updated", (e) => e.type === "call_updated" && this.#onUpdate(e.call)));
    this.#off.push(this.t.on("call_signal", (e) => {
      if (e.type === "call_signal") void this.#onSignal(e.callId, e.fromUserId, e.signal);
    }));
    let was = this.t.status.value;
    this.#off.push(effect(() => {
      const now = this.t.status.value;
      if (now === "open" && was !== "open") void this.#sync();
      was = now;
    }));
    if (this.t.status.value === "open") void this.#sync();
  }

  stop() {
    for (const f of this.#off.splice(0)) f();
    this.#cleanup();
  }

  /** The live call of a conversation, if any. */
  callIn(channelId: number): CallInfo | null {
    return Object.values(this.calls.value).find((c) => c.channelId === channelId && c.state !== "ended") ??
      null;
  }

  can(p: string): boolean {
    return this.t.me.value?.permissions?.includes(p) ?? false;
  }

  // ---- actions --------------------------------------------------------------------------------

  async startCall(channelId: number, media: CallMedia) {
    await this.#guard(async () => {
      await this.#prepare(media === "video");
      const r = await this.t.request<{ call: CallInfo; connectionId: string }>("call_start", {
        channelId,
        media,
      });
      this.#own(r.connectionId);
      this.#setActive(r.call);
    });
  }

  /** Answers a ringing call or joins an ongoing one from this tab. */
  async join(callId: number, video: boolean) {
    await this.#guard(async () => {
      if (this.active.value && this.active.value.callId !== callId) await this.hangUp();
      await this.#prepare(video);
      const r = await this.t.request<{ call: CallInfo; peers: number[]; connectionId: string }>("call_join", {
        callId,
      });
      this.#own(r.connectionId);
      this.#setActive(r.call);
      for (const u of r.peers) this.#peer(u, true);
    });
  }

  async decline(callId: number) {
    await this.#guard(() => this.t.request("call_decline", { callId }));
  }

  async hangUp() {
    const a = this.active.value;
    if (!a) return;
    const info = this.calls.value[a.callId];
    this.#cleanup();
    await this.t.request<{ call: CallInfo }>("call_leave", { callId: a.callId }).then(
      (r) => this.#onUpdate(r.call),
      () => {},
    );
    if (info) this.ended.value = { ...info, state: "ended" };
  }

  async rate(callId: number, rating: number) {
    await this.t.api("POST", `/api/chat/calls/${callId}/rating`, { rating }).catch(() => {});
    this.ended.value = null;
  }

  toggleMute() {
    const a = this.active.value;
    if (!a || !this.#local.audio) return;
    this.#local.audio.enabled = a.muted;
    this.#patch({ muted: !a.muted });
    this.#announce();
  }

  async toggleCamera() {
    const a = this.active.value;
    if (!a) return;
    if (a.cameraOn) {
      this.#local.camera?.stop();
      this.#local.camera = null;
      if (a.sharing !== "replace") { for (const p of this.#peers.values()) await p.setTrack("camera", null); }
      this.#patch({ cameraOn: false });
    } else {
      await this.#guard(async () => {
        this.#local.camera = await getCamera(this.chosen.value.camera);
        if (a.sharing !== "replace") {
          for (const p of this.#peers.values()) await p.setTrack("camera", this.#local.camera);
        }
        this.#patch({ cameraOn: true });
      });
    }
    this.#refreshLocal();
    this.#announce();
  }

  /** Shares a screen, a window or a tab: instead of the camera, or beside it. */
  async shareScreen(mode: "replace" | "beside") {
    if (!this.active.value || this.active.value.sharing) return;
    await this.#guard(async () => {
      const track = await getScreen();
      track.onended = () => void this.stopSharing();
      this.#local.screen = track;
      for (const p of this.#peers.values()) await p.setTrack(mode === "replace" ? "camera" : "screen", track);
      this.#patch({ sharing: mode });
      this.#announce();
    });
  }

  async stopSharing() {
    const a = this.active.value;
    if (!a?.sharing) return;
    this.#local.screen?.stop();
    this.#local.screen = null;
    for (const p of this.#peers.values()) {
      if (a.sharing === "replace") await p.setTrack("camera", this.#local.camera);
      else await p.setTrack("screen", null);
    }
    this.#patch({ sharing: null });
    this.#announce();
  }

  async chooseDevice(kind: "mic" | "camera" | "speaker", deviceId: string) {
    this.chosen.value = { ...this.chosen.value, [kind]: deviceId || null };
    const a = this.active.value;
    if (!a || kind === "speaker") return;
    await this.#guard(async () => {
      if (kind === "mic") {
        const old = this.#local.audio;
        this.#local.audio = await getMic(deviceId || null);
        this.#local.audio!.enabled = !a.muted;
        for (const p of this.#peers.values()) await p.setTrack("audio", this.#local.audio);
        old?.stop();
      } else if (a.cameraOn) {
        const old = this.#local.camera;
        this.#local.camera = await getCamera(deviceId || null);
        if (a.sharing !== "replace") {
          for (const p of this.#peers.values()) await p.setTrack("camera", this.#local.camera);
        }
        old?.stop();
      }
      this.#refreshLocal();
    });
  }

  /** Per-peer inbound counters (tests and the quality tooltip read them). */
  async stats(): Promise<Record<number, StatsSample>> {
    const out: Record<number, StatsSample> = {};
    for (const [u, p] of this.#peers) out[u] = sample(await p.pc.getStats());
    return out;
  }

  /** The RTCPeerConnection to a person (for diagnostics and tests). */
  peerConnection(userId: number): RTCPeerConnection | null {
    return this.#peers.get(userId)?.pc ?? null;
  }

  // ---- internals ------------------------------------------------------------------------------

  async #guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.error.value = null;
    try {
      return await fn();
    } catch (e) {
      this.error.value = (e as Error)?.message ?? String(e);
      return undefined;
    }
  }

  #own(connectionId: string) {
    this.connectionId = connectionId;
    this.#mine.add(connectionId);
  }

  async #iceConfig(): Promise<RTCConfiguration> {
    const r = await this.t.api<IceAnswer>("GET", "/api/chat/calls/ice");
    return {
      iceServers: r.iceServers,
      iceTransportPolicy: r.iceTransportPolicy,
    };
  }

  /** ICE configuration (fresh TURN credentials) and local media, before the call starts. */
  async #prepare(video: boolean) {
    this.#ice = await this.#iceConfig();
    this.#stopLocal();
    this.#local.audio = await getMic(this.chosen.value.mic);
    this.#local.camera = video ? await getCamera(this.chosen.value.camera) : null;
    this.devices.value = await listDevices();
  }

  #setActive(call: CallInfo) {
    this.calls.value = { ...this.calls.value, [call.id]: call };
    this.ended.value = null;
    this.active.value = {
      callId: call.id,
      channelId: call.channelId,
      media: call.media,
      muted: false,
      cameraOn: !!this.#local.camera,
      sharing: null,
      local: new MediaStream(
        [this.#local.audio, this.#local.camera].filter((x): x is MediaStreamTrack => !!x),
      ),
      peers: [],
      speaking: null,
      quality: null,
    };
    this.#timers.push(setInterval(() => void this.#measure(), 2000));
    this.#timers.push(setInterval(() => this.#speaker(), 300));
  }

  #patch(p: Partial<ActiveCall>) {
    if (this.active.value) this.active.value = { ...this.active.value, ...p };
  }

  #refreshLocal() {
    const tracks = [this.#local.audio, this.#local.camera].filter((x): x is MediaStreamTrack => !!x);
    this.#patch({ local: new MediaStream(tracks) });
  }

  #peer(userId: number, initiator: boolean): Peer {
    const existing = this.#peers.get(userId);
    if (existing) return existing;
    const me = this.t.me.value?.id ?? 0;
    const a = this.active.value!;
    const local = {
      audio: this.#local.audio,
      camera: a.sharing === "replace" ? this.#local.screen : this.#local.camera,
      screen: a.sharing === "beside" ? this.#local.screen : null,
    };
    const p = new Peer(userId, this.#ice ?? {}, me > userId, initiator, local, {
      signal: (s) => this.#send(a.callId, userId, s),
      track: () => this.#views(),
      state: () => this.#views(),
    });
    this.#peers.set(userId, p);
    this.#views();
    this.#send(a.callId, userId, this.#mediaSignal());
    return p;
  }

  #mediaSignal(): CallSignal {
    const a = this.active.value;
    return { kind: "media", audio: !a?.muted, video: !!a?.cameraOn, screen: a?.sharing ?? "off" };
  }

  #announce() {
    const a = this.active.value;
    if (!a) return;
    for (const u of this.#peers.keys()) this.#send(a.callId, u, this.#mediaSignal());
  }

  #send(callId: number, toUserId: number, s: CallSignal) {
    this.t.request("call_signal", { callId, toUserId, signal: s }).catch(() => {
      // Lost with a dropped socket: after the rejoin, an ICE restart renegotiates what is missing.
    });
  }

  #views() {
    const a = this.active.value;
    if (!a) return;
    const peers: PeerView[] = [...this.#peers.values()].map((p) => ({
      userId: p.userId,
      state: p.pc.connectionState,
      camera: p.remote.camera ?? null,
      screen: p.media.screen === "beside" ? p.remote.screen ?? null : null,
      audio: p.remote.audio ?? null,
      media: { ...p.media },
      quality: a.peers.find((x) => x.userId === p.userId)?.quality ?? null,
    }));
    this.#patch({ peers });
  }

  async #onSignal(callId: number, from: number, s: CallSignal) {
    const a = this.active.value;
    if (!a || a.callId !== callId) return;
    const p = this.#peers.get(from) ?? this.#peer(from, false);
    try {
      await p.onSignal(s);
    } catch (e) {
      console.warn("call: signal", e);
    }
    if (s.kind === "media") this.#views();
  }

  #onUpdate(call: CallInfo) {
    this.calls.value = { ...this.calls.value, [call.id]: call };
    const a = this.active.value;
    if (!a || a.callId !== call.id) return;
    const me = this.t.me.value?.id;
    const mine = call.participants.find((p) => p.userId === me);
    const elsewhere = mine?.state === "joined" && mine.connectionId && !this.#mine.has(mine.connectionId);
    if (call.state === "ended" || mine?.state !== "joined" || elsewhere) {
      this.#cleanup();
      if (call.state === "ended") this.ended.value = call;
      return;
    }
    for (const [u, p] of this.#peers) {
      if (!call.participants.some((x) => x.userId === u && x.state === "joined")) {
        p.close();
        this.#peers.delete(u);
      }
    }
    this.#views();
  }

  /** On every (re)connect: the live calls, and this tab's place in its call moved to the new socket. */
  async #sync() {
    try {
      const r = await this.t.request<{ calls: CallInfo[]; connectionId: string }>("call_list");
      this.#own(r.connectionId);
      const next: Record<number, CallInfo> = {};
      for (const c of r.calls) next[c.id] = c;
      const a = this.active.value;
      if (a && !next[a.callId]) {
        this.#cleanup();
        this.ended.value = this.calls.value[a.callId] ?? null;
      }
      this.calls.value = next;
      if (!this.active.value) return;
      const j = await this.t.request<{ call: CallInfo; peers: number[]; connectionId: string }>(
        "call_rejoin",
        {
          callId: a!.callId,
        },
      );
      this.#onUpdate(j.call);
      if (!this.active.value) return;
      for (const u of j.peers) {
        const p = this.#peers.get(u);
        if (!p) this.#peer(u, me(this) > u);
        else if (p.pc.connectionState !== "connected" || p.pc.signalingState !== "stable") p.restartIce();
      }
    } catch (e) {
      if (this.active.value) console.warn("call: rejoin failed", e);
    }
  }

  async #measure() {
    const a = this.active.value;
    if (!a) return;
    let worst: Quality | null = null;
    const peers = [...a.peers];
    for (const [u, p] of this.#peers) {
      const cur = sample(await p.pc.getStats());
      const q = assess(this.#prev.get(u) ?? null, cur);
      this.#prev.set(u, cur);
      const v = peers.find((x) => x.userId === u);
      if (v) v.quality = q;
      const rank = { unknown: 0, good: 1, fair: 2, poor: 3 };
      if (!worst || rank[q.level] > rank[worst.level]) worst = q;
      const cam = p.sender("camera");
      if (cam && q.level !== "unknown") await applyLimits(cam, q.level);
    }
    this.#patch({ peers, quality: worst });
  }

  #speaker() {
    let best: number | null = null;
    let level = 0.02;
    for (const [u, p] of this.#peers) {
      for (const r of p.pc.getReceivers()) {
        if (r.track.kind !== "audio") continue;
        const l = r.getSynchronizationSources?.()[0]?.audioLevel ?? 0;
        if (l > level) (level = l), (best = u);
      }
    }
    if (this.active.value && this.active.value.speaking !== best) this.#patch({ speaking: best });
  }

  #stopLocal() {
    for (const t of Object.values(this.#local)) t?.stop();
    this.#local = { audio: null, camera: null, screen: null };
  }

  #cleanup() {
    for (const t of this.#timers.splice(0)) clearInterval(t);
    for (const p of this.#peers.values()) p.close();
    this.#peers.clear();
    this.#prev.clear();
    this.#stopLocal();
    this.active.value = null;
  }
}

const me = (m: CallManager) => m.t.me.value?.id ?? 0;
