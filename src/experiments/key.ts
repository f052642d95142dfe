/**
 * Cache keys. A key hashes the normalised config together with a code version: a hash of
 * the compiled code that decides a result (data, transforms, model, training, accounting
 * and the experiment runner) plus the tfjs and libtensorflow versions. Hashing the code
 * that actually runs, rather than a version constant someone must remember to bump, means
 * any change to what those modules do invalidates old results.
 *
 * The hash reads the code's tokens, not its text: comments, whitespace, quote style,
 * trailing commas and semicolons do not move it, so documenting or reformatting the code
 * keeps hours of cached training valid. Type-only edits vanish in the compiled JavaScript
 * and do not move it either.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import * as ts from 'typescript';
import { nativeTensorFlowVersion, tf } from '../tf.js';
import type { ExperimentConfig } from './config.js';

/** Paths, relative to the library root (src/ or dist/), whose code decides a result. */
export const RESULT_MODULES: readonly string[] = [
  'data',
  'transforms',
  'model',
  'training',
  'accounting',
  'random',
  'tf',
  'experiments/run',
];

/** The protocol package's modules that result-deciding code calls at run time. */
export const RESULT_PROTOCOL_MODULES: readonly string[] = ['border', 'float32'];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

/** Compiled JavaScript, or TypeScript where the library runs from its sources (as under vitest). */
function isCode(path: string): boolean {
  return path.endsWith('.js') || (path.endsWith('.ts') && !path.endsWith('.d.ts'));
}

function inModules(path: string, modules: readonly string[]): boolean {
  const stem = path.replace(/\.(js|ts)$/, '');
  return modules.some((module) => path.startsWith(`${module}/`) || stem === module);
}

function isJsDoc(node: ts.Node): boolean {
  return node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode;
}

const CLOSERS = new Set([ts.SyntaxKind.CloseParenToken, ts.SyntaxKind.CloseBracketToken, ts.SyntaxKind.CloseBraceToken]);

/**
 * The program's tokens as one string, one per line: literals by their value (so 'a' and "a"
 * agree), no comments or whitespace, no semicolons (the printer and automatic insertion
 * differ only there) and no comma right before a closing bracket.
 */
export function codeTokens(text: string, kind: ts.ScriptKind = ts.ScriptKind.JS): string {
  const file = ts.createSourceFile(kind === ts.ScriptKind.TS ? 'code.ts' : 'code.js', text, ts.ScriptTarget.Latest, true, kind);
  const leaves: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (isJsDoc(node)) return;
    const children = node.getChildren(file);
    if (children.length === 0) leaves.push(node);
    else children.forEach(visit);
  };
  visit(file);
  const tokens: string[] = [];
  leaves.forEach((leaf, index) => {
    const next = leaves[index + 1];
    if (leaf.kind === ts.SyntaxKind.SemicolonToken || leaf.kind === ts.SyntaxKind.EndOfFileToken) return;
    if (leaf.kind === ts.SyntaxKind.CommaToken && next !== undefined && CLOSERS.has(next.kind)) return;
    // Identifiers, literals and template parts carry their value as `text`; other tokens are their spelling.
    const text = (leaf as { text?: unknown }).text;
    const value = typeof text === 'string' ? text : leaf.getText(file);
    tokens.push(`${leaf.kind}:${JSON.stringify(value)}`);
  });
  return tokens.join('\n');
}

/**
 * Hash of the code files under `root` (dist/, or src/ when running from sources) selected by `modules` (a module is a
 * directory or a file name without extension), by their tokens. When `sources` (src/) is
 * given, only files that still have a source count: a compiled file whose source was deleted
 * is never loaded and must not change the version. Sorted, so directory order does not matter.
 */
export function hashCode(root: string, modules: readonly string[] = RESULT_MODULES, sources?: string): string {
  const hasSource = (path: string): boolean => sources === undefined || existsSync(join(sources, path.replace(/\.js$/, '.ts')));
  const selected = listFiles(root)
    .map((path) => relative(root, path).split(sep).join('/'))
    .filter((path) => isCode(path) && inModules(path, modules) && hasSource(path))
    .sort();
  if (selected.length === 0) throw new Error(`no compiled library code found under ${root} to version the cache with; run npm run build`);
  const hash = createHash('sha256');
  for (const path of selected) {
    hash.update(`${path}\0`);
    hash.update(codeTokens(readFileSync(join(root, path), 'utf8'), path.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function libraryCodeHash(): string {
  const hashPackage = (compiled: string, modules: readonly string[]): string => {
    const sources = join(compiled, '..', 'src');
    return hashCode(compiled, modules, existsSync(sources) ? sources : undefined);
  };
  const protocol = dirname(require.resolve('@losslens/protocol/package.json'));
  const parts = [hashPackage(join(__dirname, '..'), RESULT_MODULES), hashPackage(join(protocol, 'dist'), RESULT_PROTOCOL_MODULES)];
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

let cachedCodeVersion: string | undefined;

/** This installation's code version: library code hash + tfjs + libtensorflow versions. */
export function codeVersion(): string {
  cachedCodeVersion ??= `${libraryCodeHash()}-tfjs${tf.version.tfjs}-tf${nativeTensorFlowVersion()}`;
  return cachedCodeVersion;
}

/** JSON with object keys sorted, so equal configs always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export function experimentKey(config: ExperimentConfig, version: string = codeVersion()): string {
  return createHash('sha256').update(canonicalJson({ config, version })).digest('hex').slice(0, 24);
}
