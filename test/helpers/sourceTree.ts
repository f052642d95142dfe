/**
 * A copy of the library's sources with an edit applied, compiled to JavaScript (types erased
 * per file, as `typescript.transpileModule` does), inside the checkout so that its imports
 * resolve to the checkout's node_modules: what the results identity of an edited library is
 * computed from.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import { repoRoot } from './python.js';

export interface SourceTree {
  root: string;
  /** The compiled library, as runFingerprint takes it. */
  dist: string;
  /** Replaces `from` with `to` in src/`file` (every occurrence; at least one must exist). */
  replace(file: string, from: string | RegExp, to: string): void;
  read(file: string): string;
  write(file: string, text: string): void;
  remove(file: string): void;
  compile(): void;
  dispose(): void;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

export function sourceTree(): SourceTree {
  const parent = join(repoRoot, '.cache');
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(join(parent, 'source-tree-'));
  cpSync(join(repoRoot, 'src'), join(root, 'src'), { recursive: true });
  const src = (file: string) => join(root, 'src', file);
  return {
    root,
    dist: join(root, 'dist'),
    read: (file) => readFileSync(src(file), 'utf8'),
    write: (file, text) => writeFileSync(src(file), text),
    remove: (file) => rmSync(src(file)),
    replace(file, from, to) {
      const text = readFileSync(src(file), 'utf8');
      const found = typeof from === 'string' ? text.includes(from) : from.test(text);
      if (!found) throw new Error(`${file} does not contain ${String(from)}`);
      writeFileSync(src(file), typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to));
    },
    compile() {
      rmSync(join(root, 'dist'), { recursive: true, force: true });
      for (const file of tsFiles(join(root, 'src'))) {
        const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
          fileName: file,
        });
        const out = join(root, 'dist', relative(join(root, 'src'), file)).replace(/\.ts$/, '.js');
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, outputText);
      }
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
