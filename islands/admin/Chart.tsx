/**
 * A chart in the console: a `figure` named by its caption, drawn with uPlot (loaded on demand, in the
 * browser only; the canvas is hidden from assistive technology), with the same data as a table under
 * "Show as table" and a CSV download where the API offers one. Colours come from the theme's variables.
 */
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import { btn, td, th } from "./ui.tsx";

export interface Series {
  label: string;
  values: number[];
}

/** `x` labels are UTC dates (YYYY-MM-DD) or hours (YYYY-MM-DDTHH:00). */
export function Chart(
  { title, x, series, csv, xLabel = "When" }: {
    title: string;
    x: string[];
    series: Series[];
    csv?: string;
    xLabel?: string;
  },
) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const times = x.map((v) => Date.parse(v.length === 10 ? `${v}T00:00:00Z` : `${v}:00Z`) / 1000);
  const data = [times, ...series.map((s) => s.values)] as uPlot.AlignedData;

  useEffect(() => {
    let gone = false;
    if (plot.current) {
      plot.current.setData(data);
      return;
    }
    import("uplot").then(({ default: UPlot }) => {
      if (gone || !box.current) return;
      const css = getComputedStyle(document.documentElement);
      const color = (v: string, fallback: string) => css.getPropertyValue(v).trim() || fallback;
      const colors = [color("--p-accent", "#1164a3"), color("--p-ok", "#2bac76"), color("--p-link", "#555")];
      const ink = color("--p-text", "#222");
      const grid = color("--p-border", "#ddd");
      const axis = { stroke: ink, grid: { stroke: grid }, ticks: { stroke: grid } };
      plot.current = new UPlot(
        {
          width: Math.max(280, box.current.clientWidth),
          height: 220,
          legend: { show: series.length > 1 },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true } },
          axes: [axis, axis],
          series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: colors[i % 3], width: 2 }))],
        },
        data,
        box.current,
      );
    }).catch(() => {/* the table stays */});
    return () => {
      gone = true;
    };
  }, [x.join(), series.map((s) => s.values.join()).join("|")]);

  useEffect(() => () => plot.current?.destroy(), []);

  return (
    <figure class="rounded-lg border border-line p-3 mb-4" aria-label={title}>
      <figcaption class="font-semibold mb-2 flex flex-wrap gap-2 items-center justify-between">
        <span>{title}</span>
        {csv && <a class={btn} href={csv} download>Download CSV: {title}</a>}
      </figcaption>
      <div ref={box} aria-hidden="true" class="w-full overflow-hidden min-h-[220px]" />
      <details class="mt-2 text-sm">
        <summary class="cursor-pointer">Show as table: {title}</summary>
        <table class="text-sm mt-2">
          <caption class="sr-only">{title}</caption>
          <thead>
            <tr>
              <th class={th} scope="col">{xLabel}</th>
              {series.map((s) => <th key={s.label} class={th} scope="col">{s.label}</th>)}
            </tr>
          </thead>
          <tbody>
            {x.map((v, i) => (
              <tr key={v}>
                <th class={td} scope="row">{v.replace("T", " ")}</th>
                {series.map((s) => <td key={s.label} class={td}>{s.values[i]}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
