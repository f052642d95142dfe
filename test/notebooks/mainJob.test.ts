/**
 * The main job's terminal in the quick profile (the run every notebook test shares): up
 * front, how many trainings it needs and where the other runs come from; then it names
 * each notebook as it starts and gives every training its own progress lines, with a bar,
 * rate and ETA or the word that it came from the cache.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTEBOOKS, quickRun, type RunnerReport } from './quickRun.js';

let log: string;
let report: RunnerReport;
beforeAll(() => {
  ({ log, report } = quickRun());
});

/** The runner's lines for each training, keyed "notebook #n", from its first line to the next training's. */
function trainings(): Map<string, string[]> {
  const byTraining = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of log.split('\n')) {
    const start = /^ {2}run (\d+) of (\S+):/.exec(line);
    if (start) byTraining.set(`${start[2]} #${start[1]}`, (current = []));
    else if (/^\[\d+\/\d+\] running|^executed /.test(line)) current = undefined;
    current?.push(line);
  }
  return byTraining;
}

describe('the main job in the quick profile', () => {
  it('says which notebook runs, in order', () => {
    NOTEBOOKS.forEach((name, i) => expect(log).toMatch(new RegExp(`^\\[${i + 1}/${NOTEBOOKS.length}\\] running .*${name}$`, 'm')));
  });

  it('shows a progress line per training: bar, rate and time, or that it came from the cache', () => {
    const all = trainings();
    expect(all.size).toBeGreaterThanOrEqual(NOTEBOOKS.length);
    for (const [training, lines] of all) {
      const shown = lines.some((line) =>
        /\[[#.]{24}\] +\d+% +epoch \d+\/\d+ · batch \d+\/\d+ · loss [\d.]+ · [\d,]+ samples\/s · (ETA|done in)/.test(line),
      );
      const cached = lines.some((line) => /from the cache \(computed/.test(line));
      expect(shown || cached, `${training}:\n${lines.join('\n')}`).toBe(true);
    }
  });

  it("shows each notebook's trainings and stored reads as the runner counted them", () => {
    expect(report.notebooks.map((n) => n.notebook)).toEqual(NOTEBOOKS);
    for (const { notebook, trained, cache, archive } of report.notebooks) {
      const line = log.split('\n').find((l) => l.startsWith('executed ') && l.includes(notebook));
      expect(line, notebook).toContain(`(${trained} training(s) run, ${cache} from the cache, ${archive} from the published archive)`);
    }
  });
});

describe("the main job's plan", () => {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const ran = (name: string) => report.notebooks.find((n) => n.notebook === name)!;

  it('comes before the first notebook and agrees with what the notebooks then did', () => {
    expect(report.plan, log.slice(0, 2000)).not.toBeNull();
    const { totals } = report.plan!;
    const shown = `plan: ${totals.toTrain} training(s) needed for ${totals.runs} run(s); ${totals.inCache} already in the cache, `;
    expect(log).toContain(shown);
    expect(log.indexOf(shown)).toBeLessThan(log.indexOf('[1/'));
    const done = report.notebooks;
    // The quick run starts from an empty cache: every planned training happens once, and every other
    // run is a cache read of what an earlier notebook trained.
    expect(totals.toTrain).toBe(sum(done.map((d) => d.trained)));
    expect(totals.runs).toBe(sum(done.map((d) => d.trained + d.cache + d.archive)));
    expect(totals.inCache).toBe(0);
    // The quick profile's small runs are never among the published archive's full-fidelity ones.
    expect(totals.inArchive).toBe(0);
    expect(sum(done.map((d) => d.archive))).toBe(0);
    expect(totals.trainedEarlier).toBe(sum(done.map((d) => d.cache)));
    expect(totals.toTrain).toBeGreaterThan(0);
  });

  it("counts each notebook's runs from its cell tagged 'runs'", () => {
    for (const { notebook, runs } of report.plan!.notebooks) {
      expect(runs, `${notebook} has no cell tagged 'runs'`).not.toBeNull();
      const toTrain = runs!.filter((run) => !run.cached && run.earlierIn === undefined).length;
      expect(log).toContain(`  ${notebook}: ${runs!.length} run(s): ${toTrain} to train`);
      expect(toTrain, notebook).toBe(ran(notebook).trained);
      expect(runs!.length, notebook).toBe(ran(notebook).trained + ran(notebook).cache + ran(notebook).archive);
    }
  });
});
