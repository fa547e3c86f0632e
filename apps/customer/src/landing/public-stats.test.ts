import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeWait, fetchPublicStats } from './public-stats.ts';

afterEach(() => vi.unstubAllGlobals());

function answer(status: number, body: unknown) {
  vi.stubGlobal(
    'fetch',
    vi.fn(
      async () =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    ),
  );
}

describe('stats.public', () => {
  it('falls back (null) while the server has no such procedure', async () => {
    answer(404, { error: { message: 'No procedure found on path "stats.public"' } });
    expect(await fetchPublicStats('http://x')).toBeNull();
  });

  it('reads the figures when the server has them, and ignores a shape it does not know', async () => {
    answer(200, { result: { data: { mechanicsOnline: 3, medianWaitSeconds: 140, waitingNow: 1 } } });
    expect(await fetchPublicStats('http://x')).toEqual({
      mechanicsOnline: 3,
      medianWaitSeconds: 140,
      waitingNow: 1,
    });
    answer(200, { result: { data: { online: 'many' } } });
    expect(await fetchPublicStats('http://x')).toBeNull();
  });

  it('says a wait in words', () => {
    expect(describeWait(20)).toBe('under a minute');
    expect(describeWait(140)).toBe('about 2 min');
    expect(describeWait(3 * 3600)).toBe('about 3 h');
  });
});
