/**
 * A bench process's own log: lines kept in memory and appended to `file` every 250 ms (one write, off the turn
 * that noted them; a failed write is dropped). `beforeFlush` runs first at each tick, to add what it gathered.
 * Returns the function that notes a line. The timer does not keep the process alive.
 */
export function lineFile(file: string, beforeFlush?: () => void): (line: string) => void {
  let lines: string[] = [];
  const flush = setInterval(() => {
    beforeFlush?.();
    if (!lines.length) return;
    const text = lines.join("\n") + "\n";
    lines = [];
    Deno.writeTextFile(file, text, { append: true }).catch(() => {});
  }, 250);
  Deno.unrefTimer(flush);
  return (line) => {
    lines.push(line);
  };
}
