/** Text with the server's [start, end) ranges wrapped in <mark>; the text stays text (no HTML from anyone). */
export function Highlighted({ text, ranges }: { text: string; ranges: [number, number][] }) {
  const out: preact.ComponentChildren[] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s < at || e > text.length) continue;
    if (s > at) out.push(text.slice(at, s));
    out.push(<mark key={s} class="bg-mention text-fg rounded px-0.5">{text.slice(s, e)}</mark>);
    at = e;
  }
  out.push(text.slice(at));
  return <>{out}</>;
}
