/**
 * Group writes: `store` runs with everything submitted while its previous call was running, so a burst of
 * small writes (connection rows when many people connect at once) costs one round trip and one commit per
 * burst, and a lone write goes out at once. Each submit resolves when its own batch is stored.
 */
import { GroupCommit } from "./group_commit.ts";

export function coalescing<T>(
  store: (items: T[]) => Promise<void>,
  maxBatch = 500,
): (item: T) => Promise<void> {
  const g = new GroupCommit<T, void>(async (items) => {
    await store(items);
    return items.map(() => undefined);
  }, { maxBatch });
  return (item) => g.submit(item);
}
