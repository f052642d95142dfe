/**
 * What runExperiment checks of the cache directory before it loads data or trains: that it can
 * hold results (only readable is enough for a cached result; writable before training). A problem would otherwise surface only after an epoch had trained (or never: a recursive
 * mkdir under /proc spins forever), so each is one line naming the path and the fix.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readlinkSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export class CacheDirectoryError extends Error {
  override name = 'CacheDirectoryError';
}

/**
 * Kernel filesystems (statfs f_type magic numbers) whose files are not storage: writes
 * fail or mean something else, and mkdir can loop.
 */
const VIRTUAL_FILESYSTEMS: Record<number, string> = {
  0x9fa0: 'procfs',
  0x62656572: 'sysfs',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0x27e0eb: 'cgroupfs',
  0x63677270: 'cgroup2fs',
  0x1cd1: 'devpts',
  0xcafe4a11: 'bpffs',
};

const FIX = 'choose a writable directory on disk with --cache-dir or LOSSLENS_CACHE_DIR (the cacheDir option in code)';

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** The deepest existing path on the way to `path` (itself when it exists); links are not followed. */
function existingAncestor(path: string): string {
  let current = path;
  for (;;) {
    try {
      lstatSync(current);
      return current;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR') throw error;
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** The virtual filesystem `path` is on, if any. */
function virtualFilesystem(path: string): string | undefined {
  try {
    return VIRTUAL_FILESYSTEMS[statfsSync(path).type];
  } catch {
    // statfs is Linux-specific in what it reports; elsewhere only the path can tell.
    return /^\/(proc|sys)(\/|$)/.test(path) ? 'a kernel filesystem' : undefined;
  }
}

function refuser(dir: string, source: string | undefined): { path: string; refuse: (why: string) => never } {
  const path = resolve(dir);
  const named = `cache directory ${path}${source ? ` (from ${source})` : ''}`;
  return {
    path,
    refuse: (why) => {
      throw new CacheDirectoryError(`${named} ${why}; ${FIX}`);
    },
  };
}

/**
 * Checks, without writing anything, that `dir` is or can become a cache directory: no
 * dangling symlink or file in the way, not on a kernel filesystem. Throws a
 * CacheDirectoryError naming the path and the fix; returns the deepest existing path.
 * `source` says where the path came from, for the message.
 */
export function checkCacheDir(dir: string, source?: string): string {
  const { path, refuse } = refuser(dir, source);
  const ancestor = existingAncestor(path);
  if (lstatSync(ancestor).isSymbolicLink()) {
    let target: string;
    try {
      target = statSync(ancestor).isDirectory() ? '' : 'not a directory';
    } catch {
      target = 'missing';
    }
    if (target !== '')
      refuse(`${ancestor === path ? 'is' : `is inside ${ancestor}, which is`} a symbolic link to ${readlinkSync(ancestor)}, ${target}`);
  }
  const filesystem = virtualFilesystem(ancestor);
  if (filesystem !== undefined) refuse(`is on ${filesystem}, a view of the kernel, not storage`);
  if (!statSync(ancestor).isDirectory()) {
    refuse(ancestor === path ? 'is a file, not a directory' : `cannot be created: ${ancestor} is a file, not a directory`);
  }
  return ancestor;
}

/**
 * Makes sure `dir` is a directory this process can write cache entries to (checkCacheDir,
 * then creating it and missing parents, then a probe write). Throws a CacheDirectoryError
 * naming the path and the fix otherwise.
 */
export function prepareCacheDir(dir: string, source?: string): void {
  const ancestor = checkCacheDir(dir, source);
  const { path, refuse } = refuser(dir, source);
  // One level at a time: mkdir's recursive mode can spin on filesystems that answer oddly.
  const missing: string[] = [];
  for (let current = path; current !== ancestor; current = dirname(current)) missing.unshift(current);
  for (const each of missing) {
    try {
      mkdirSync(each);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') refuse(`cannot be created (${errorCode(error) ?? String(error)} at ${each})`);
    }
  }
  const probe = join(path, `.losslens-write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const fd = openSync(probe, 'wx');
    try {
      writeSync(fd, 'losslens');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    refuse(`is not writable (${errorCode(error) ?? String(error)})`);
  } finally {
    rmSync(probe, { force: true });
  }
}
