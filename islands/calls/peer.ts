/**
 * One WebRTC peer connection to one other person in a call (mesh: one per person). Three fixed
 * transceivers, in this order on both sides: microphone, camera, screen. Turning the camera on or off and
 * sharing the screen only replace the track on a sender, so they need no renegotiation; screen share
 * "instead of the camera" puts the screen on the camera's sender, "beside the camera" on the third.
 *
 * Negotiation follows the "perfect negotiation" pattern (polite and impolite peer), so an ICE restart from
 * either side, at any time, cannot deadlock. The newcomer to a call makes the first offer.
 */
import type { CallSignal, IceCandidate } from "../../realtime/protocol.ts";

export const SLOTS = ["audio", "camera", "screen"] as const;
export type Slot = typeof SLOTS[number];

export interface PeerEvents {
  signal(s: CallSignal): void;
  /** A remote track arrived or changed, per slot. */
  track(slot: Slot, track: MediaStreamTrack): void;
  state(s: RTCPeerConnectionState): void;
}

export class Peer {
  readonly pc: RTCPeerConnection;
  readonly remote: Partial<Record<Slot, MediaStream>> = {};
  /** What the other side says it sends (camera on, sharing the screen…). */
  media: { audio: boolean; video: boolean; screen: "off" | "replace" | "beside" } = {
    audio: true,
    video: false,
    screen: "off",
  };
  #makingOffer = false;
  #ignoreOffer = false;
  #pendingIce: RTCIceCandidateInit[] = [];
  #closed = false;

  constructor(
    readonly userId: number,
    config: RTCConfiguration,
    readonly polite: boolean,
    readonly initiator: boolean,
    local: Record<Slot, MediaStreamTrack | null>,
    private events: PeerEvents,
  ) {
    this.pc = new RTCPeerConnection(config);
    if (initiator) {
      for (const slot of SLOTS) {
        this.pc.addTransceiver(local[slot] ?? (slot === "audio" ? "audio" : "video"), {
          direction: "sendrecv",
        });
      }
    }
    this.pc.onnegotiationneeded = async () => {
      try {
        this.#makingOffer = true;
        await this.pc.setLocalDescription();
        this.events.signal({ kind: "offer", sdp: this.pc.localDescription!.sdp });
      } catch (e) {
        console.warn("call: offer failed", e);
      } finally {
        this.#makingOffer = false;
      }
    };
    this.pc.onicecandidate = (e) => {
      const c = e.candidate?.toJSON();
      this.events.signal({
        kind: "ice",
        candidate: c
          ? {
            candidate: c.candidate ?? "",
            sdpMid: c.sdpMid ?? null,
            sdpMLineIndex: c.sdpMLineIndex ?? null,
            usernameFragment: c.usernameFragment ?? null,
          }
          : null,
      });
    };
    this.pc.ontrack = (e) => {
      const slot = this.slotOf(e.transceiver);
      if (!slot) return;
      const stream = this.remote[slot] ?? (this.remote[slot] = new MediaStream());
      for (const t of stream.getTracks()) if (t !== e.track) stream.removeTrack(t);
      if (!stream.getTracks().includes(e.track)) stream.addTrack(e.track);
      this.events.track(slot, e.track);
    };
    this.pc.onconnectionstatechange = () => {
      this.events.state(this.pc.connectionState);
      if (this.pc.connectionState === "failed") this.restartIce();
    };
    this.#local = local;
  }

  #local: Record<Slot, MediaStreamTrack | null>;

  slotOf(t: RTCRtpTransceiver): Slot | null {
    const i = this.pc.getTransceivers().indexOf(t);
    return SLOTS[i] ?? null;
  }

  sender(slot: Slot): RTCRtpSender | null {
    return this.pc.getTransceivers()[SLOTS.indexOf(slot)]?.sender ?? null;
  }

  /** Puts a local track (or nothing) on a slot; no renegotiation. */
  async setTrack(slot: Slot, track: MediaStreamTrack | null) {
    this.#local[slot] = track;
    await this.sender(slot)?.replaceTrack(track).catch((e) => console.warn("call: replaceTrack", e));
  }

  async onSignal(s: CallSignal) {
    if (this.#closed) return;
    if (s.kind === "media") {
      this.media = { audio: s.audio, video: s.video, screen: s.screen };
      return;
    }
    if (s.kind === "ice") {
      if (!s.candidate) return;
      const c = toInit(s.candidate);
      if (!this.pc.remoteDescription) this.#pendingIce.push(c);
      else await this.pc.addIceCandidate(c).catch((e) => !this.#ignoreOffer && console.warn("call: ice", e));
      return;
    }
    const offerCollision = s.kind === "offer" && (this.#makingOffer || this.pc.signalingState !== "stable");
    this.#ignoreOffer = !this.polite && offerCollision;
    if (this.#ignoreOffer) return;
    await this.pc.setRemoteDescription({ type: s.kind, sdp: s.sdp });
    for (const c of this.#pendingIce.splice(0)) await this.pc.addIceCandidate(c).catch(() => {});
    if (s.kind === "offer") {
      // The answering side: the offer made the transceivers; put our tracks on them, in slot order.
      const ts = this.pc.getTransceivers();
      for (let i = 0; i < SLOTS.length && i < ts.length; i++) {
        if (ts[i].direction !== "sendrecv") ts[i].direction = "sendrecv";
        const want = this.#local[SLOTS[i]];
        if (ts[i].sender.track !== want) await ts[i].sender.replaceTrack(want).catch(() => {});
      }
      await this.pc.setLocalDescription();
      this.events.signal({ kind: "answer", sdp: this.pc.localDescription!.sdp });
    }
  }

  /** After a network change or a signaling reconnect: new ICE candidates, same call. */
  restartIce() {
    if (this.#closed) return;
    if (this.pc.signalingState === "have-local-offer" && this.pc.localDescription) {
      // Our last offer may have been lost with the old socket: send it again.
      this.events.signal({ kind: "offer", sdp: this.pc.localDescription.sdp });
      return;
    }
    this.pc.restartIce();
  }

  close() {
    this.#closed = true;
    this.pc.close();
  }
}

function toInit(c: IceCandidate): RTCIceCandidateInit {
  return {
    candidate: c.candidate,
    sdpMid: c.sdpMid ?? undefined,
    sdpMLineIndex: c.sdpMLineIndex ?? undefined,
    usernameFragment: c.usernameFragment ?? undefined,
  };
}
