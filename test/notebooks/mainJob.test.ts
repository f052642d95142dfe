/**
 * The main job's terminal in the quick profile (the run every notebook test shares): it
 * names each notebook as it starts and gives every training its own progress lines, with
 * a bar, rate and ETA or the word that it came from the cache.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTEBOOKS, quickRun } from './quickRun.js';

let log: string;
beforeAll(async () => {
  log = (await quickRun()).log;
}, 300_000);

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
      const shown = lines.some((line) => /\[[#.]{24}\] +\d+% +epoch \d+\/\d+ · batch \d+\/\d+ · loss [\d.]+ · [\d,]+ samples\/s · (ETA|done in)/.test(line));
      const cached = lines.some((line) => /from the cache \(computed/.test(line));
      expect(shown || cached, `${training}:\n${lines.join('\n')}`).toBe(true);
    }
  });

  it("counts each notebook's trainings and cache reads", () => {
    for (const name of NOTEBOOKS) expect(log).toMatch(new RegExp(`^executed .*${name} in [\\d.]+ s \\(\\d+ training\\(s\\) run, \\d+ from the cache\\)`, 'm'));
  });
});
