/**
 * A connection's channels and the last sequence written per channel, kept small: 10,000 idle sockets each
 * hold one of each. A `Set` of 20 numbers takes about 720 bytes of V8 heap and a `Map` of 20 about 980
 * (their hash tables, grown 4 -> 8 -> 16 -> 32, leave garbage on the way); these keep them in one packed
 * array, about 440 and 470 bytes (bench/notes/memory_per_connection.md, "Memory per idle connection (issue
 * 16, sixth pass)"). A scan of a few dozen small integers is as quick as hashing; past `LINEAR_MAX` keys (a
 * user in hundreds of channels) they move into a `Map` / `Set`, and stay there.
 *
 * The same operations and results as `Map<number, V>` / `Set<number>` for the methods they share.
 */
const LINEAR_MAX = 32;

export class SmallIntMap<V> {
  /** Keys and values interleaved (`[k0, v0, k1, v1, …]`): one array's capacity, not two. */
  #pairs: (number | V)[] = [];
  #map: Map<number, V> | null = null;

  get size(): number {
    return this.#map ? this.#map.size : this.#pairs.length >> 1;
  }

  #find(key: number): number {
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === key) return i;
    return -1;
  }

  get(key: number): V | undefined {
    if (this.#map) return this.#map.get(key);
    const i = this.#find(key);
    return i < 0 ? undefined : this.#pairs[i + 1] as V;
  }

  has(key: number): boolean {
    return this.#map ? this.#map.has(key) : this.#find(key) >= 0;
  }

  set(key: number, value: V): this {
    if (this.#map) {
      this.#map.set(key, value);
      return this;
    }
    const pairs = this.#pairs;
    const i = this.#find(key);
    if (i >= 0) {
      pairs[i + 1] = value;
    } else if (pairs.length < 2 * LINEAR_MAX) {
      pairs.push(key, value);
    } else {
      const map = new Map<number, V>();
      for (let j = 0; j < pairs.length; j += 2) map.set(pairs[j] as number, pairs[j + 1] as V);
      map.set(key, value);
      this.#map = map;
      this.#pairs = [];
    }
    return this;
  }

  delete(key: number): boolean {
    if (this.#map) return this.#map.delete(key);
    const i = this.#find(key);
    if (i < 0) return false;
    this.#pairs.splice(i, 2);
    return true;
  }

  /** The keys in insertion order, as a `Map`'s. Unlike a `Map`'s, not for deleting from while it is walked. */
  *keys(): IterableIterator<number> {
    if (this.#map) return yield* this.#map.keys();
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) yield pairs[i] as number;
  }
}

/** A `Set<number>` kept the same way: a packed array of keys, a `Set` past `LINEAR_MAX` of them. */
export class SmallIntSet {
  #keys: number[] = [];
  #set: Set<number> | null = null;

  get size(): number {
    return this.#set ? this.#set.size : this.#keys.length;
  }

  has(key: number): boolean {
    return this.#set ? this.#set.has(key) : this.#keys.includes(key);
  }

  add(key: number): this {
    if (this.#set) this.#set.add(key);
    else if (this.#keys.includes(key)) return this;
    else if (this.#keys.length < LINEAR_MAX) this.#keys.push(key);
    else {
      this.#set = new Set(this.#keys).add(key);
      this.#keys = [];
    }
    return this;
  }

  delete(key: number): boolean {
    if (this.#set) return this.#set.delete(key);
    const i = this.#keys.indexOf(key);
    if (i < 0) return false;
    this.#keys.splice(i, 1);
    return true;
  }

  /** In insertion order. Unlike a `Set`'s, not for deleting from while it is walked. */
  [Symbol.iterator](): IterableIterator<number> {
    return this.#set ? this.#set.values() : this.#keys.values();
  }
}
