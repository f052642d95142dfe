import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { nativeTensorFlowVersion, tf } from '../../src/tf';
import { repoRoot, runPython } from '../helpers/python';

describe('native TensorFlow', () => {
  it('runs tfjs-node on the native tensorflow backend', () => {
    expect(tf.getBackend()).toBe('tensorflow');
    const product = tf.matMul(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      tf.tensor2d([[1], [1]]),
    );
    expect(Array.from(product.dataSync())).toEqual([3, 7]);
  });

  it('is bound to the libtensorflow of the TensorFlow wheel in .venv', () => {
    const wheelVersion = runPython('import importlib.metadata as m; print(m.version("tensorflow-cpu"))').trim();
    expect(nativeTensorFlowVersion()).toBe(wheelVersion);
  });

  it('explains a binding that cannot load instead of dumping a stack', () => {
    // Make the binding's .node file unloadable, as on a checkout where setup never built it.
    const hideBinding = `
      const Module = require('module');
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (/tfjs_binding\\.node$/.test(request)) {
          const error = new Error("Cannot find module '" + request + "'");
          error.code = 'MODULE_NOT_FOUND';
          throw error;
        }
        return load.call(this, request, ...rest);
      };`;
    const result = spawnSync(
      process.execPath,
      ['-e', `${hideBinding}; try { require('./dist/tf.js') } catch (e) { console.log(e.name + ': ' + e.message); process.exit(3) }`],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(result.status).toBe(3);
    expect(result.stdout).toContain("TensorFlowUnavailableError: tfjs-node's native binding has not been built");
    expect(result.stdout).toContain('bash scripts/setup.sh');
  });

  it('setup names what the TensorFlow wheel lacks and how to fix it', () => {
    const empty = resolve(repoRoot, 'test', 'fixtures');
    const result = spawnSync('bash', ['scripts/setup.sh'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, LOSSLENS_TENSORFLOW_DIR: empty },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`the TensorFlow wheel at ${empty} has no libtensorflow_cc.so.2`);
    expect(result.stderr).toMatch(/\[setup\] fix: /);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
