/**
 * Work a request starts but does not wait for (the assignment run after a visitor starts a chat), kept
 * track of so a shutdown lets it finish before the database closes. Failures are logged, never thrown.
 *
 * @example
 * deps.background.run("visitor assignment", () => assignThenNotify(deps, workspaceId, id));
 * await deps.background.idle(); // in shutdown
 */
export class Background {
  readonly #tasks = new Set<Promise<void>>();

  run(what: string, fn: () => Promise<unknown>): void {
    const p: Promise<void> = fn().then(
      () => {},
      (e) => console.error(what, e),
    ).finally(() => this.#tasks.delete(p));
    this.#tasks.add(p);
  }

  /** Resolves when nothing started here is still running (including what those start meanwhile). */
  async idle(): Promise<void> {
    while (this.#tasks.size) await Promise.all(this.#tasks);
  }
}
