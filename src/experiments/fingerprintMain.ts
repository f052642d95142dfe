/**
 * The fingerprint's own process (identity.ts starts it with one TensorFlow thread): runs the
 * matrix and prints the Fingerprint as one JSON line on stdout, each run's name on stderr.
 */
import { computeFingerprint } from './fingerprint.js';

computeFingerprint((name) => process.stderr.write(`fingerprint: ${name}\n`)).then(
  (fingerprint) => process.stdout.write(`${JSON.stringify(fingerprint)}\n`),
  (error: unknown) => {
    process.stderr.write(`fingerprint failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
