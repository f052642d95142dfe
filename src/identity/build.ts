/**
 * Which build of the library is running, as a hash of its compiled files: the key under which
 * its results identity (identity.ts) is computed once and kept. Running from sources (as under
 * vitest), the code is that of dist/ only if dist/ was built from these sources; `npm run build`
 * records the sources' hash in dist/build-info.json (recordBuild) so that can be checked.
 * No TensorFlow here: the build step runs this.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** The checkout or installed package folder: dist/ and src/ are in it. */
export const PACKAGE_ROOT = join(__dirname, '..', '..');

const BUILD_INFO = 'build-info.json';

export class StaleBuildError extends Error {
  override name = 'StaleBuildError';
}

function filesUnder(dir: string, accept: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(path, accept) : accept(path) ? [path] : [];
    })
    .sort();
}

function addFiles(hash: Hash, root: string, files: readonly string[]): void {
  for (const file of files) {
    hash.update(`${relative(root, file).split(sep).join('/')}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
}

/** The protocol package's folder (its src/ and dist/). */
function protocolRoot(): string {
  return dirname(require.resolve('@losslens/protocol/package.json'));
}

const isSource = (path: string) => path.endsWith('.ts') && !path.endsWith('.d.ts');
const isCompiled = (path: string) => path.endsWith('.js');

/** SHA-256 of the library's and the protocol package's TypeScript sources. */
export function sourcesHash(root = PACKAGE_ROOT, protocol = protocolRoot()): string {
  const hash = createHash('sha256');
  addFiles(hash, root, filesUnder(join(root, 'src'), isSource));
  addFiles(hash, protocol, filesUnder(join(protocol, 'src'), isSource));
  return hash.digest('hex');
}

/** SHA-256 of the compiled JavaScript that runs: the library's dist/ and the protocol package's. */
export function compiledHash(root = PACKAGE_ROOT, protocol = protocolRoot()): string {
  const hash = createHash('sha256');
  addFiles(hash, root, filesUnder(join(root, 'dist'), isCompiled));
  addFiles(hash, protocol, filesUnder(join(protocol, 'dist'), isCompiled));
  return hash.digest('hex');
}

/**
 * After tsc: removes what dist/ holds for sources that no longer exist (tsc leaves them), so a
 * checkout's dist/ is a fresh clone's, and writes dist/build-info.json, the hash of the sources
 * dist/ was just built from.
 */
export function recordBuild(root = PACKAGE_ROOT): void {
  const dist = join(root, 'dist');
  const stem = (path: string) => path.replace(/(\.d\.ts|\.js)(\.map)?$/, '');
  for (const file of filesUnder(dist, (path) => /(\.d\.ts|\.js)(\.map)?$/.test(path))) {
    if (!existsSync(`${stem(join(root, 'src', relative(dist, file)))}.ts`)) rmSync(file);
  }
  writeFileSync(join(dist, BUILD_INFO), `${JSON.stringify({ sources: sourcesHash(root) })}\n`);
}

/**
 * The compiled library behind this process: its dist/ folder and the hash of what is in it.
 * From sources, throws StaleBuildError unless dist/ was built from exactly these sources.
 */
export function runningBuild(fromSources = __filename.endsWith('.ts'), root = PACKAGE_ROOT): { dist: string; hash: string } {
  const dist = join(root, 'dist');
  if (fromSources) {
    let recorded: unknown;
    try {
      recorded = (JSON.parse(readFileSync(join(dist, BUILD_INFO), 'utf8')) as { sources?: unknown }).sources;
    } catch {
      recorded = undefined;
    }
    if (recorded !== sourcesHash(root)) {
      throw new StaleBuildError(
        `${dist} was not built from the sources in ${join(root, 'src')}; run npm run build ` +
          '(results are identified by what the compiled code computes)',
      );
    }
  }
  return { dist, hash: compiledHash(root) };
}
