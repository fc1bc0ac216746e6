/**
 * Connection quality from `RTCPeerConnection.getStats()`: round-trip time, packet loss and bitrates between
 * two samples, a level (good / fair / poor) with a plain explanation, and the sending limits that adaptive
 * quality applies (lower resolution and bitrate before the video freezes).
 */

export interface StatsSample {
  at: number;
  bytesReceived: number;
  bytesSent: number;
  packetsReceived: number;
  packetsLost: number;
  framesDecoded: number;
  audioBytesReceived: number;
  videoBytesReceived: number;
  rttMs: number | null;
  /** Candidate types of the pair in use: "host", "srflx", "prflx" or "relay". */
  localCandidate: string | null;
  remoteCandidate: string | null;
  frameWidth: number | null;
  availableOutgoingBitrate: number | null;
}

export type QualityLevel = "good" | "fair" | "poor" | "unknown";

export interface Quality {
  level: QualityLevel;
  rttMs: number | null;
  lossPct: number;
  inKbps: number;
  outKbps: number;
  explanation: string;
}

type AnyStat = Record<string, unknown> & { type: string; id: string };

/** Reads the numbers this module needs from a stats report. */
export function sample(report: RTCStatsReport, at = Date.now()): StatsSample {
  const s: StatsSample = {
    at,
    bytesReceived: 0,
    bytesSent: 0,
    packetsReceived: 0,
    packetsLost: 0,
    framesDecoded: 0,
    audioBytesReceived: 0,
    videoBytesReceived: 0,
    rttMs: null,
    localCandidate: null,
    remoteCandidate: null,
    frameWidth: null,
    availableOutgoingBitrate: null,
  };
  const byId = new Map<string, AnyStat>();
  report.forEach((r: AnyStat) => byId.set(r.id, r));
  for (const r of byId.values()) {
    const n = (k: string) => (typeof r[k] === "number" ? r[k] as number : 0);
    if (r.type === "inbound-rtp") {
      s.bytesReceived += n("bytesReceived");
      s.packetsReceived += n("packetsReceived");
      s.packetsLost += n("packetsLost");
      if (r.kind === "video") {
        s.framesDecoded += n("framesDecoded");
        s.videoBytesReceived += n("bytesReceived");
        if (n("frameWidth")) s.frameWidth = Math.max(s.frameWidth ?? 0, n("frameWidth"));
      } else s.audioBytesReceived += n("bytesReceived");
    } else if (r.type === "outbound-rtp") s.bytesSent += n("bytesSent");
    else if (r.type === "candidate-pair" && (r.nominated || r.selected) && r.state === "succeeded") {
      if (typeof r.currentRoundTripTime === "number") s.rttMs = Math.round(r.currentRoundTripTime * 1000);
      if (typeof r.availableOutgoingBitrate === "number") {
        s.availableOutgoingBitrate = r.availableOutgoingBitrate;
      }
      s.localCandidate = (byId.get(String(r.localCandidateId))?.candidateType as string) ?? null;
      s.remoteCandidate = (byId.get(String(r.remoteCandidateId))?.candidateType as string) ?? null;
    }
  }
  return s;
}

/** Quality between two samples of the same connection. */
export function assess(prev: StatsSample | null, cur: StatsSample): Quality {
  if (!prev || cur.at <= prev.at) {
    return {
      level: "unknown",
      rttMs: cur.rttMs,
      lossPct: 0,
      inKbps: 0,
      outKbps: 0,
      explanation: "Measuring…",
    };
  }
  const secs = (cur.at - prev.at) / 1000;
  const inKbps = Math.round(((cur.bytesReceived - prev.bytesReceived) * 8) / 1000 / secs);
  const outKbps = Math.round(((cur.bytesSent - prev.bytesSent) * 8) / 1000 / secs);
  const got = cur.packetsReceived - prev.packetsReceived;
  const lost = Math.max(0, cur.packetsLost - prev.packetsLost);
  const lossPct = got + lost > 0 ? Math.round((lost / (got + lost)) * 1000) / 10 : 0;
  const rtt = cur.rttMs;
  let level: QualityLevel = "good";
  const reasons: string[] = [];
  if (rtt !== null && rtt > 400) (level = "poor"), reasons.push(`long delay (${rtt} ms round trip)`);
  else if (rtt !== null && rtt > 200) (level = "fair"), reasons.push(`some delay (${rtt} ms round trip)`);
  if (lossPct > 8) (level = "poor"), reasons.push(`${lossPct}% of packets lost`);
  else if (lossPct > 2) {
    if (level === "good") level = "fair";
    reasons.push(`${lossPct}% of packets lost`);
  }
  if (got === 0 && cur.packetsReceived > 0) (level = "poor"), reasons.push("nothing received for a moment");
  const numbers = `Round trip ${
    rtt ?? "?"
  } ms · loss ${lossPct}% · in ${inKbps} kbit/s · out ${outKbps} kbit/s`;
  const explanation = level === "good"
    ? `Good connection. ${numbers}`
    : `${level === "poor" ? "Poor" : "Fair"} connection: ${reasons.join(", ")}. ${numbers}`;
  return { level, rttMs: rtt, lossPct, inKbps, outKbps, explanation };
}

/** What the camera sender may use at a quality level: the resolution drops before the frame rate does. */
export function sendLimits(level: QualityLevel): { maxBitrate: number; scaleResolutionDownBy: number } {
  if (level === "poor") return { maxBitrate: 150_000, scaleResolutionDownBy: 4 };
  if (level === "fair") return { maxBitrate: 500_000, scaleResolutionDownBy: 2 };
  return { maxBitrate: 1_500_000, scaleResolutionDownBy: 1 };
}

/** Applies the limits to a video sender (a no-op when nothing changes). */
export async function applyLimits(sender: RTCRtpSender, level: QualityLevel) {
  const p = sender.getParameters();
  if (!p.encodings?.length) return;
  const want = sendLimits(level);
  const e = p.encodings[0];
  if (e.maxBitrate === want.maxBitrate && e.scaleResolutionDownBy === want.scaleResolutionDownBy) return;
  e.maxBitrate = want.maxBitrate;
  e.scaleResolutionDownBy = want.scaleResolutionDownBy;
  p.degradationPreference = "maintain-framerate";
  await sender.setParameters(p).catch(() => {});
}
