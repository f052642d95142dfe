// What both benchmark scripts need: the checkout's root, the compiled library, and option parsing.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The compiled library in dist/ (npm run bench builds it first). */
export const losslens = createRequire(import.meta.url)(path.join(ROOT, 'dist/index.js'));

export const positiveInteger = (value) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
