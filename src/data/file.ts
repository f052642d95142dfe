/**
 * Reading a data file the user named (an IDX file, a Keras npz). A wrong path should say
 * what is there instead and what to give, not surface as a raw EISDIR; and only regular
 * files are read, since a FIFO or a device like /dev/zero would block or never end.
 */
import { readFileSync, statSync } from 'node:fs';

export class DataFileError extends Error {
  override name = 'DataFileError';
}

const WANTED = 'give the path of an MNIST IDX file (plain or .gz) or a Keras mnist.npz';

/** The bytes of the regular file at `path`, or a DataFileError naming the path and the fix. */
export function readDataFile(path: string): Buffer {
  const refuse = (why: string): never => {
    throw new DataFileError(`${path} ${why}; ${WANTED}`);
  };
  let kind: ReturnType<typeof statSync>;
  try {
    kind = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') refuse('does not exist');
    if (code === 'ENOTDIR') refuse('does not exist (a part of the path is a file, not a directory)');
    if (code === 'EACCES') refuse('cannot be read (permission denied)');
    throw error;
  }
  if (kind.isDirectory()) refuse('is a directory, not a file');
  if (!kind.isFile()) refuse('is not a regular file (a device, FIFO or socket)');
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return refuse(`cannot be read (${code ?? String(error)})`);
  }
}
