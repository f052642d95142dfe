import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLibrary, cliBin, runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/python.js';
import type { ExperimentResult } from '../../src/results/result.js';
import type { ReproduceOutput } from '../../src/cli/output.js';
import { SETTING_NAMES, SETTINGS, type SettingRow } from '../../src/settings/table.js';
import { completed } from '../helpers/results.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'losslens-cli-'));
const SMALL = ['--epochs', '1', '--samples', '200', '--test-samples', '50', '--batch-size', '50', '--cache-dir', cacheDir];

function losslens(...args: string[]) {
  return runCli(args, { timeout: 120_000 });
}

beforeAll(() => {
  buildLibrary();
}, 300_000);
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('losslens argument errors', () => {
  it.each([
    [['run', '--epochs', 'abc'], /^error: option '--epochs <n>' argument 'abc' is invalid/m],
    [
      ['run', '--pad-mode', 'wrap'],
      /argument 'wrap' is invalid\. must be one of edge, constant, reflect, symmetric \(or zeros\), got "wrap"/,
    ],
    [['run', '--pad-width', '3'], /^error: option '--pad-width <n>' argument '3' is invalid\. must be even/m],
    [
      ['run', '--samples', '70000'],
      /^error: option '--samples <n>' argument '70000' is invalid\. must be an integer from 1 to 60,000, got 70000 \(MNIST/m,
    ],
    [['run', '--test-samples', '20000'], /^error: option '--test-samples <n>' argument '20000' is invalid\. .*10,000 test images/m],
    [
      ['run', '--loss', 'hinge'],
      /^error: option '--loss <name>' argument 'hinge' is invalid\. must be one of binaryCrossentropy, meanSquaredError \(or bce, binary_crossentropy, mse, mean_squared_error\)/m,
    ],
    [['reproduce', '--seeds', '0'], /--seeds <n>' argument '0' is invalid/],
    [['run', '--noise-placement', 'border'], /must be one of afterPadding, originalOnly, beforePadding, got "border"/],
    [['run', '--loss-region', 'inner'], /must be one of all, original, got "inner"/],
    [
      ['run', '--pad-width', '2', '--pad-shift', '4'],
      /^error: --pad-shift must be an integer from -2 to 2, got 4 \(the original image must stay inside the padded frame\)$/m,
    ],
    [['run', '--bogus'], /^error: unknown option '--bogus'/m],
    [['frobnicate'], /^error: unknown command 'frobnicate'/m],
  ])('%j: one-line error, usage, exit code 2', (args, message) => {
    const { code, stdout, stderr } = losslens(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const errors = stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    if (args[0] !== 'frobnicate') expect(stderr).toMatch(new RegExp(`Usage: losslens ${args[0]} \\[options\\]`));
  });
});

describe('losslens vocabulary', () => {
  it('help lists every setting of the table with its flag, meaning and default in a form the flag accepts', () => {
    const { code, stdout } = losslens('run', '--help');
    expect(code).toBe(0);
    const help = stdout.replace(/\s+/g, ' ');
    for (const name of SETTING_NAMES) {
      const row = SETTINGS[name] as SettingRow<unknown>;
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(help).toMatch(
        new RegExp(`${escape(row.flag)} ${escape(row.argument)} ${escape(row.doc)}.*?\\(default: ${escape(row.format(row.default))}\\)`),
      );
    }
    expect(help).toContain('--loss <name> training loss');
    expect(help).toMatch(/--loss <name> .*?\(default: bce\)/);
  });

  it('reproduce takes every setting but the padding, which the question fixes', () => {
    const help = losslens('reproduce', '--help').stdout;
    expect(help).toContain('--epochs <n>');
    expect(help).not.toContain('--pad-width');
  });

  it('takes the short alias and the library name for the same run', () => {
    const short = losslens('run', ...SMALL, '--seed', '5', '--loss', 'mse', '--json');
    expect(short.code).toBe(0);
    const long = losslens('run', ...SMALL, '--seed', '5', '--loss', 'meanSquaredError', '--json');
    expect(long.code).toBe(0);
    const [a, b] = [short, long].map((r) => JSON.parse(r.stdout) as ExperimentResult);
    expect(a.config.loss).toBe('meanSquaredError');
    expect(b.key).toBe(a.key);
    expect(b.origin).toBe('cache');
  });
});

describe('losslens --json', () => {
  it('run: prints one ExperimentResult on stdout, progress on stderr', () => {
    const { code, stdout, stderr } = losslens('run', ...SMALL, '--pad-width', '2', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ExperimentResult;
    expect(result.status).toBe('completed');
    expect(result.config).toMatchObject({ pad: { width: 2, mode: 'edge' }, epochs: 1, trainSamples: 200, testSamples: 50 });
    expect(completed(result).ledger.pixels).toBe(1024);
    expect(typeof completed(result).ledger.regions.border?.perImage).toBe('number');
    expect(result.history).toHaveLength(1);
    expect(stderr).toMatch(/epoch 1\/1/);
  });

  it('reproduce: both question configs, their summaries and the comparison; a second call reads the cache', () => {
    const first = losslens('reproduce', ...SMALL, '--json');
    expect(first.code).toBe(0);
    const payload = JSON.parse(first.stdout) as ReproduceOutput;
    expect(payload.status).toBe('completed');
    expect(payload.runs.map((run: { label: string }) => run.label)).toEqual(['28×28', '32×32 edge+2']);
    expect(payload.runs[1].summary.perImage?.n).toBe(1);
    expect(payload.comparison?.pixels).toMatchObject({ a: 784, b: 1024 });
    const second = losslens('reproduce', ...SMALL, '--json');
    expect((JSON.parse(second.stdout) as ReproduceOutput).runs[0].results[0].origin).toBe('cache');
    expect(second.stderr).toMatch(/2 of 2 run\(s\) read from the cache/);
  });

  it("reproduce: prints the ledger table in the question's shape", () => {
    const { code, stdout } = losslens('reproduce', ...SMALL);
    expect(code).toBe(0);
    expect(stdout).toMatch(/loss per pixel\s+×\s+pixels\s+=\s+loss per image/);
    expect(stdout).toMatch(/^28×28\s+\d\.\d{4}\s+×\s+784\s+=\s+\d+\.\d{2}/m);
    expect(stdout).toMatch(/^32×32 edge\+2\s+\d\.\d{4}\s+×\s+1024\s+=/m);
    expect(stdout).toMatch(/inner per pixel/);
    expect(stdout).toMatch(/floor\s+\+ excess\s+= per image/);
  });
});

describe('losslens Ctrl-C', () => {
  it('stops after the current batch, exits 130, and the next call resumes', async () => {
    const args = [
      'run',
      '--epochs',
      '3',
      '--samples',
      '1000',
      '--test-samples',
      '50',
      '--batch-size',
      '50',
      '--seed',
      '9',
      '--cache-dir',
      cacheDir,
    ];
    const child = spawn(process.execPath, [cliBin, ...args], { cwd: repoRoot });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      // Non-TTY progress prints one line per finished epoch; interrupt during the second.
      if (!stderr.includes('epoch 1/3') && (stderr + text).includes('epoch 1/3')) child.kill('SIGINT');
      stderr += text;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/kept the 1 finished epoch\(s\)/);
    expect(stderr).toMatch(/run the same command again to go on/);

    const resumed = losslens(...args, '--json');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from the checkpoint after epoch 1 of 3/);
    expect((JSON.parse(resumed.stdout) as ExperimentResult).resumedFromEpoch).toBe(1);
  }, 120_000);

  it('reproduce: Ctrl-C during the second run names the finished run it kept, which the next call reads from the cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'losslens-cli-reproduce-interrupt-'));
    const args = ['reproduce', '--epochs', '2', '--samples', '2000', '--test-samples', '100', '--cache-dir', cacheDir];
    const child = spawn(process.execPath, [cliBin, ...args], { cwd: repoRoot });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      // The padded run's first finished epoch: the 28×28 run is done by then.
      if (!/32×32 edge\+2.*epoch 1\/2/.test(stderr) && /32×32 edge\+2.*epoch 1\/2/.test(stderr + text)) child.kill('SIGINT');
      stderr += text;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/^finished and kept in the cache: 28×28 seed 1$/m);

    const again = losslens(...args, '--json');
    expect(again.code, again.stderr).toBe(0);
    const [plain] = (JSON.parse(again.stdout) as { runs: { results: ExperimentResult[] }[] }).runs;
    expect(plain.results[0].origin).toBe('cache');
    rmSync(cacheDir, { recursive: true, force: true });
  }, 180_000);
});
