/**
 * The hub's sockets by user. Most users have one socket: it is held as is, not in a `Set` of one (about 150
 * bytes of V8 heap per user, 1.5 MB for 10,000 idle sockets); a user's second socket makes it a `Set`.
 */
export class ConnectionsByUser<C> {
  readonly #byUser = new Map<number, C | Set<C>>();

  add(userId: number, conn: C) {
    const had = this.#byUser.get(userId);
    if (had === undefined) this.#byUser.set(userId, conn);
    else if (had instanceof Set) had.add(conn);
    else if (had !== conn) this.#byUser.set(userId, new Set([had, conn]));
  }

  delete(userId: number, conn: C) {
    const had = this.#byUser.get(userId);
    if (had === conn) this.#byUser.delete(userId);
    else if (had instanceof Set) {
      had.delete(conn);
      if (!had.size) this.#byUser.delete(userId);
    }
  }

  /** The user's sockets, a copy (the caller may close them while it walks it). */
  of(userId: number): C[] {
    const had = this.#byUser.get(userId);
    return had === undefined ? [] : had instanceof Set ? [...had] : [had];
  }

  /** Adds the user's sockets to `out`. */
  addTo(userId: number, out: Set<C>) {
    const had = this.#byUser.get(userId);
    if (had instanceof Set) { for (const c of had) out.add(c); }
    else if (had !== undefined) out.add(had);
  }
}
