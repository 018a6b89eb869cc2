import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Links followed before giving up on a chain of symlinks (as the kernel's ELOOP does, roughly). */
const MAX_LINKS = 8;

/**
 * Writes a report so that a reader never sees half a file: a temp file in the same directory, then a
 * rename (atomic on POSIX). node_exporter's textfile collector depends on this. When `path` is a symlink
 * (textfile directories often are), the file it points at is replaced and the link stays a link.
 */
export async function writeFileAtomically(
  path: string,
  content: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  const target = await followLinks(path);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content, { mode });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The file a chain of symlinks ends at (which need not exist yet); `path` itself when it is no link. */
async function followLinks(path: string): Promise<string> {
  let current = path;
  for (let hop = 0; hop < MAX_LINKS; hop += 1) {
    const stat = await lstat(current).catch(() => null);
    if (!stat?.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw new Error(`${path}: too many levels of symbolic links`);
}
