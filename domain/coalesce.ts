/**
 * Group writes: `store` runs with everything submitted while its previous call was running, so a burst of
 * small writes (connection rows when many people connect at once) costs one round trip and one commit per
 * burst, and a lone write goes out at once. Each submit resolves when its own batch is stored.
 */
export function coalescing<T>(
  store: (items: T[]) => Promise<void>,
  maxBatch = 500,
): (item: T) => Promise<void> {
  const queue: { item: T; resolve(): void; reject(e: unknown): void }[] = [];
  let running = false;
  const pump = async () => {
    if (running || !queue.length) return;
    running = true;
    const batch = queue.splice(0, maxBatch);
    try {
      await store(batch.map((b) => b.item));
      for (const b of batch) b.resolve();
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
    running = false;
    void pump();
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      void pump();
    });
}
