/**
 * The profiled run's report again, from files already written: `deno run -A bench/profile_report.ts
 * RESULTS.json PROFILES_DIR > bench/results/profile.md`, where RESULTS.json is the run's results (its `--out`,
 * or bench/results/latest.json) and PROFILES_DIR the run's folder of profiles,
 * bench/results/profiles/<time>/ (one `<workload>/` folder each). A profiled run writes the same report
 * itself (bench/run.ts, `--profile`). Twenty-first pass: bench/notes/profile_report.md.
 */
import { profileReport } from "./lib/profile_report.ts";

const [resultsFile, dir] = Deno.args;
if (!resultsFile || !dir) {
  console.error(
    "usage: deno run -A bench/profile_report.ts RESULTS.json PROFILES_DIR > bench/results/profile.md",
  );
  Deno.exit(2);
}
const results = JSON.parse(await Deno.readTextFile(resultsFile));
const command = `deno run -A bench/profile_report.ts ${resultsFile} ${dir}`;
console.log(profileReport(results, dir.replace(/\/$/, ""), { command }).trimEnd());
