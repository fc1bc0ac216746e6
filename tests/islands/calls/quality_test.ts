/**
 * Connection quality from getStats numbers (islands/calls/quality.ts): what the indicator says, and what
 * adaptive video sends at each level (the resolution and bitrate drop before anything freezes).
 */
import assert from "node:assert/strict";
import { assess, sample, sendLimits, type StatsSample } from "../../../islands/calls/quality.ts";

const base: StatsSample = {
  at: 0,
  bytesReceived: 0,
  bytesSent: 0,
  packetsReceived: 0,
  packetsLost: 0,
  framesDecoded: 0,
  audioBytesReceived: 0,
  videoBytesReceived: 0,
  rttMs: 20,
  localCandidate: "host",
  remoteCandidate: "host",
  frameWidth: 640,
  availableOutgoingBitrate: null,
};
const after = (p: Partial<StatsSample>): StatsSample => ({ ...base, at: 2000, ...p });

Deno.test("quality: good, fair and poor from round trip, loss and silence, explained", () => {
  assert.equal(assess(null, base).level, "unknown");
  const good = assess(base, after({ bytesReceived: 250_000, bytesSent: 125_000, packetsReceived: 400 }));
  assert.equal(good.level, "good");
  assert.equal(good.inKbps, 1000);
  assert.equal(good.outKbps, 500);
  assert.match(good.explanation, /^Good connection\. Round trip 20 ms · loss 0% · in 1000 kbit\/s/);

  const slow = assess(base, after({ packetsReceived: 400, rttMs: 300 }));
  assert.equal(slow.level, "fair");
  assert.match(slow.explanation, /^Fair connection: some delay \(300 ms round trip\)/);
  const lossy = assess(base, after({ packetsReceived: 95, packetsLost: 5 }));
  assert.equal(lossy.level, "fair");
  assert.equal(lossy.lossPct, 5);
  const bad = assess(base, after({ packetsReceived: 80, packetsLost: 20, rttMs: 500 }));
  assert.equal(bad.level, "poor");
  assert.match(bad.explanation, /long delay \(500 ms round trip\), 20% of packets lost/);
  const silent = assess({ ...base, packetsReceived: 100 }, after({ packetsReceived: 100 }));
  assert.equal(silent.level, "poor");
  assert.match(silent.explanation, /nothing received for a moment/);
});

Deno.test("adaptive video: lower resolution and bitrate as the network gets worse, frame rate kept", () => {
  const good = sendLimits("good");
  const fair = sendLimits("fair");
  const poor = sendLimits("poor");
  assert.ok(good.maxBitrate > fair.maxBitrate && fair.maxBitrate > poor.maxBitrate);
  assert.ok(good.scaleResolutionDownBy < fair.scaleResolutionDownBy);
  assert.ok(fair.scaleResolutionDownBy < poor.scaleResolutionDownBy);
  assert.deepEqual(sendLimits("unknown"), good);
});

Deno.test("stats: inbound audio and video, the selected pair's round trip and candidate types", () => {
  const report = new Map<string, Record<string, unknown>>([
    ["v", {
      id: "v",
      type: "inbound-rtp",
      kind: "video",
      bytesReceived: 900,
      packetsReceived: 9,
      framesDecoded: 30,
      frameWidth: 320,
    }],
    ["a", {
      id: "a",
      type: "inbound-rtp",
      kind: "audio",
      bytesReceived: 100,
      packetsReceived: 5,
      packetsLost: 1,
    }],
    ["o", { id: "o", type: "outbound-rtp", bytesSent: 700 }],
    ["t", { id: "t", type: "transport", selectedCandidatePairId: "p1" }],
    ["p0", {
      id: "p0",
      type: "candidate-pair",
      currentRoundTripTime: 9,
      localCandidateId: "lh",
      remoteCandidateId: "rh",
    }],
    ["p1", {
      id: "p1",
      type: "candidate-pair",
      currentRoundTripTime: 0.042,
      localCandidateId: "lr",
      remoteCandidateId: "rr",
    }],
    ["lh", { id: "lh", type: "local-candidate", candidateType: "host" }],
    ["rh", { id: "rh", type: "remote-candidate", candidateType: "host" }],
    ["lr", { id: "lr", type: "local-candidate", candidateType: "relay" }],
    ["rr", { id: "rr", type: "remote-candidate", candidateType: "srflx" }],
  ]);
  const s = sample(report as unknown as RTCStatsReport, 5);
  assert.deepEqual(
    { ...s },
    {
      at: 5,
      bytesReceived: 1000,
      bytesSent: 700,
      packetsReceived: 14,
      packetsLost: 1,
      framesDecoded: 30,
      audioBytesReceived: 100,
      videoBytesReceived: 900,
      rttMs: 42,
      localCandidate: "relay",
      remoteCandidate: "srflx",
      frameWidth: 320,
      availableOutgoingBitrate: null,
    },
  );
});
