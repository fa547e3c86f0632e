// Process checks for postmaster.pid files left behind by other runs.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false; // 0 and negatives address process groups
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** On Linux, false for zombies and for a pid reused by something that is not postgres. */
export async function isPostgresProcess(pid: number): Promise<boolean> {
  if (!existsSync('/proc/self/stat')) return true; // no procfs (macOS): trust the signal check
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const match = /^\d+ \((.*)\) (\S)/.exec(stat);
  return match?.[1] === 'postgres' && match[2] !== 'Z';
}
