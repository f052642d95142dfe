/**
 * The main job's terminal in the quick profile (the run every notebook test shares): up
 * front, how many trainings it needs and where the other runs come from; then it names
 * each notebook as it starts and gives every training its own progress lines, with a bar,
 * rate and ETA or the word that it came from the cache.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTEBOOKS, quickRun } from './quickRun.js';

let log: string;
beforeAll(() => {
  log = quickRun().log;
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

  it("counts each notebook's trainings and cache reads", () => {
    for (const name of NOTEBOOKS)
      expect(log).toMatch(
        new RegExp(
          `^executed .*${name} in [\\d.]+ s \\(\\d+ training\\(s\\) run, \\d+ from the cache, \\d+ from the published archive\\)`,
          'm',
        ),
      );
  });
});

describe("the main job's plan", () => {
  const executed = (name: string) => {
    const [, trained, cached, archived] = new RegExp(
      `^executed .*${name} in [\\d.]+ s \\((\\d+) training\\(s\\) run, (\\d+) from the cache, (\\d+) from the published archive\\)`,
      'm',
    ).exec(log)!;
    return { trained: Number(trained), cached: Number(cached), archived: Number(archived) };
  };

  it('comes before the first notebook and agrees with what the notebooks then did', () => {
    const plan =
      /^plan: (\d+) training\(s\) needed for (\d+) run\(s\); (\d+) already in the cache, (\d+) in the published archive, (\d+) trained earlier in this job$/m.exec(
        log,
      );
    expect(plan, log.slice(0, 2000)).not.toBeNull();
    expect(plan!.index).toBeLessThan(log.indexOf('[1/'));
    const done = NOTEBOOKS.map(executed);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    // The quick run starts from an empty cache: every planned training happens once, and every other
    // run is a cache read of what an earlier notebook trained.
    expect(Number(plan![1])).toBe(sum(done.map((d) => d.trained)));
    expect(Number(plan![2])).toBe(sum(done.map((d) => d.trained + d.cached)));
    expect(Number(plan![3])).toBe(0);
    // The quick profile's small runs are never among the published archive's full-fidelity ones.
    expect(Number(plan![4])).toBe(0);
    expect(sum(done.map((d) => d.archived))).toBe(0);
    expect(Number(plan![5])).toBe(sum(done.map((d) => d.cached)));
    expect(Number(plan![1])).toBeGreaterThan(0);
  });

  it("counts each notebook's runs from its cell tagged 'runs'", () => {
    for (const name of NOTEBOOKS) {
      const line = new RegExp(
        `^ {2}${name}: (\\d+) run\\(s\\): (\\d+) to train(?: \\(\\d+ from a checkpoint of an interrupted run\\))?, (\\d+) in the cache, (\\d+) in the published archive, (\\d+) trained earlier in this job$`,
        'm',
      ).exec(log);
      expect(line, `${name} in\n${log.slice(0, 2000)}`).not.toBeNull();
      const [runs, toTrain] = [Number(line![1]), Number(line![2])];
      expect(toTrain).toBe(executed(name).trained);
      expect(runs).toBe(executed(name).trained + executed(name).cached);
    }
  });
});
