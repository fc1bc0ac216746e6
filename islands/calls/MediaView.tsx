/** A <video> or <audio> element showing a MediaStream (srcObject cannot be set as an attribute). */
import { useEffect, useRef } from "preact/hooks";

export function MediaView({ stream, kind = "video", muted, label, sinkId, class: cls, onFrame }: {
  stream: MediaStream | null;
  kind?: "video" | "audio";
  muted?: boolean;
  label: string;
  sinkId?: string | null;
  class?: string;
  onFrame?: () => void;
}) {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== stream) el.srcObject = stream;
    if (stream) void el.play().catch(() => {});
  }, [stream]);
  useEffect(() => {
    const el = ref.current as (HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (el?.setSinkId && sinkId !== undefined) void el.setSinkId(sinkId ?? "").catch(() => {});
  }, [sinkId]);
  useEffect(() => {
    const el = ref.current as HTMLVideoElement | null;
    if (!onFrame || !el?.requestVideoFrameCallback) return;
    const id = el.requestVideoFrameCallback(() => onFrame());
    return () => el.cancelVideoFrameCallback?.(id);
  }, [stream, onFrame]);
  if (kind === "audio") return <audio ref={ref} autoplay aria-label={label} />;
  return <video ref={ref} autoplay playsInline muted={muted} aria-label={label} class={cls} />;
}
