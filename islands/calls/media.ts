/** Local media for calls: microphone and camera, screen capture, the device list, and the ringtone. */

export interface Devices {
  mic: string | null;
  camera: string | null;
  speaker: string | null;
}

export async function getMic(deviceId: string | null): Promise<MediaStreamTrack | null> {
  const s = await navigator.mediaDevices.getUserMedia({
    audio: deviceId ? { deviceId: { exact: deviceId } } : { echoCancellation: true, noiseSuppression: true },
  });
  return s.getAudioTracks()[0] ?? null;
}

export async function getCamera(deviceId: string | null): Promise<MediaStreamTrack | null> {
  const s = await navigator.mediaDevices.getUserMedia({
    video: deviceId ? { deviceId: { exact: deviceId } } : { width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  return s.getVideoTracks()[0] ?? null;
}

/** A window, a tab or the whole screen, as the browser offers. */
export async function getScreen(): Promise<MediaStreamTrack> {
  const s = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  const t = s.getVideoTracks()[0];
  t.contentHint = "detail";
  return t;
}

export async function listDevices(): Promise<MediaDeviceInfo[]> {
  try {
    return await navigator.mediaDevices.enumerateDevices();
  } catch {
    return [];
  }
}

/**
 * A two-tone ring played with Web Audio (no file to load), repeating until stopped. Browsers may refuse
 * sound before the person touched the page; the dialog still shows.
 */
export function ring(): () => void {
  let ctx: AudioContext | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  try {
    ctx = new AudioContext();
    const burst = () => {
      if (!ctx) return;
      const now = ctx.currentTime;
      for (const [i, f] of [[0, 440], [0.4, 480]] as const) {
        const o = ctx.createOscillator();
        const g = ctx.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, now + i);
        g.gain.exponentialRampToValueAtTime(0.2, now + i + 0.05);
        g.gain.exponentialRampToValueAtTime(0.0001, now + i + 0.35);
        o.connect(g).connect(ctx.destination);
        o.start(now + i);
        o.stop(now + i + 0.4);
      }
    };
    burst();
    timer = setInterval(burst, 2000);
  } catch { /* no audio */ }
  return () => {
    if (timer) clearInterval(timer);
    void ctx?.close().catch(() => {});
    ctx = null;
  };
}
