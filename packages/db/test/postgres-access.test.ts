import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded.ts';
import { assertPostgresCanReach, blockedFolders, canEnter, type FolderMode } from '../src/postgres-access.ts';

const postgres = { uid: 101, gid: 104 };

describe('canEnter', () => {
  it('uses the owner bits for the owner, the group bits for the primary group, else the other bits', () => {
    expect(canEnter({ uid: 101, gid: 0, mode: 0o700 }, postgres)).toBe(true);
    expect(canEnter({ uid: 101, gid: 0, mode: 0o077 }, postgres)).toBe(false);
    expect(canEnter({ uid: 0, gid: 104, mode: 0o750 }, postgres)).toBe(true);
    expect(canEnter({ uid: 0, gid: 104, mode: 0o705 }, postgres)).toBe(false);
    expect(canEnter({ uid: 0, gid: 0, mode: 0o711 }, postgres)).toBe(true);
    expect(canEnter({ uid: 0, gid: 0, mode: 0o700 }, postgres)).toBe(false);
    expect(canEnter({ uid: 0, gid: 0, mode: 0o700 }, { uid: 0, gid: 0 })).toBe(true);
  });
});

describe('blockedFolders', () => {
  it('names every folder on the way that the user cannot enter, skipping missing ones', async () => {
    const modes: Record<string, FolderMode> = {
      '/': { uid: 0, gid: 0, mode: 0o755 },
      '/tmp': { uid: 0, gid: 0, mode: 0o1777 },
      '/tmp/locked': { uid: 0, gid: 0, mode: 0o700 },
      '/tmp/locked/x': { uid: 0, gid: 0, mode: 0o755 },
      '/tmp/locked/x/private': { uid: 0, gid: 104, mode: 0o700 },
    };
    const stat = async (folder: string) => modes[folder] ?? null;
    expect(await blockedFolders('/tmp/locked/x/private/not-yet/there', postgres, stat)).toEqual([
      '/tmp/locked',
      '/tmp/locked/x/private',
    ]);
    expect(await blockedFolders('/tmp/locked/x', { uid: 0, gid: 0 }, stat)).toEqual([]);
  });
});

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('as root, a checkout the postgres user cannot enter', () => {
  let parent: string;
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('fails with one line naming the folder to chmod, before spawning anything', async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'dispatch-locked-')); // mkdtemp makes it 0700
    await mkdir(path.join(parent, 'checkout'));
    const dataDir = path.join(parent, 'checkout', '.data', 'postgres');
    await expect(assertPostgresCanReach([dataDir])).rejects.toThrow(`chmod o+x ${parent}`);
    const failure = await startEmbeddedPostgres({ dataDir, port: 1, database: 'x' }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).not.toContain('\n');
    expect((failure as Error).message).toContain(`cannot enter ${parent}. Fix: chmod o+x ${parent}`);
  });
});
