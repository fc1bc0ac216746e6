/**
 * Start-up pacing for island entries. The server already rendered the page; hydrating it (and mounting
 * extras such as the call layer or the demo widget) is work the first paint should not wait for. On a fast
 * connection the bundle is ready before the browser's first frame, so without a pause the page is painted
 * only after all of it ran.
 */

/** Resolves once the browser has painted a frame (or after 100 ms in a hidden tab, where no frames run). */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const go = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    // A rAF callback runs before its frame's paint; the task after it runs once the frame is out.
    requestAnimationFrame(() => setTimeout(go, 0));
    setTimeout(go, 100);
  });
}

/** Resolves in a new task, so that long start-up work is split into tasks the browser can interleave. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
