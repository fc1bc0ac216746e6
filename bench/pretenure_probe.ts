/**
 * Which closures V8 allocates in the old generation, and what that keeps alive through scavenges (plain JS,
 * no library; bench/notes/surviving_queries.md):
 *
 *   deno run --v8-flags=--expose-gc,--allow-natives-syntax bench/pretenure_probe.ts
 *
 * Per way of giving an object a closure: whether the closure is young (`%InYoungGeneration`), and how many
 * of 100 payloads (each referenced only by a dropped object, or by the closure's context) are alive after
 * two minor GCs (scavenges) in a later task. V8's parser pretenures a function literal that is the
 * right-hand side of an assignment to a property (`Parser::CheckAssigningFunctionLiteralToProperty`, "so it
 * can be added as a constant function property"): such a closure is allocated old, only a mark-compact
 * frees it, and its (young) context, with all it reaches, survives every scavenge until then.
 */
const gc = (globalThis as unknown as { gc(o?: { type: "minor" }): void }).gc;
// deno-lint-ignore no-explicit-any
const young: (x: unknown) => boolean = (0, eval)("(x) => %InYoungGeneration(x)") as any;

type Make = (payload: object) => { f: unknown };
const ways: [string, Make][] = [
  ["o.f = () => payload (a literal assigned to a property)", (payload) => {
    const o: { f: unknown } = { f: null };
    o.f = () => payload;
    return o;
  }],
  ["class: this.f = () => this, this.p = payload (postgres.js's Query)", (payload) =>
    new (class {
      p: object;
      f: unknown;
      constructor(p: object) {
        this.p = p;
        this.f = () => this;
      }
    })(payload)],
  ["const g = () => payload; o.f = g (the same closure, not assigned as a literal)", (payload) => {
    const o: { f: unknown } = { f: null };
    const g = () => payload;
    o.f = g;
    return o;
  }],
  ["class: const g = () => this; this.f = g", (payload) =>
    new (class {
      p: object;
      f: unknown;
      constructor(p: object) {
        this.p = p;
        const g = () => this;
        this.f = g;
      }
    })(payload)],
  ["{ f: () => payload } (an object literal)", (payload) => ({ f: () => payload })],
];

const results: { way: string; closureYoung: string; alive: number; of: number }[] = [];
for (const [way, make] of ways) {
  const refs: WeakRef<object>[] = [];
  let youngCount = 0;
  for (let i = 0; i < 100; i++) {
    const payload = { i, data: new Array(16).fill(i) };
    const o = make(payload);
    if (young(o.f)) youngCount++;
    refs.push(new WeakRef(payload));
  }
  // WeakRef targets are kept until the current job ends: collect in a later task.
  await new Promise((r) => setTimeout(r, 0));
  gc({ type: "minor" });
  gc({ type: "minor" });
  const alive = refs.filter((r) => r.deref() !== undefined).length;
  results.push({ way, closureYoung: `${youngCount} of 100`, alive, of: refs.length });
}
for (const r of results) console.log(`${r.alive}/${r.of} alive, closure young ${r.closureYoung}: ${r.way}`);
