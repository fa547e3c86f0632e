import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchPublicStats } from './public-stats.ts';

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
    answer(200, {
      result: {
        data: {
          dispatchMode: 'broadcast',
          at: '2026-12-01T10:00:00.000Z',
          sessionTypes: [
            {
              sessionType: 'video',
              mechanicsOnline: 3,
              mechanicsFree: 2,
              typicalWait: { lowSeconds: 60, highSeconds: 180, samples: 9 },
            },
            {
              sessionType: 'in_person',
              mechanicsOnline: 1,
              mechanicsFree: 0,
              typicalWait: { lowSeconds: 100, highSeconds: 220, samples: 4 },
            },
            { sessionType: 'chat', mechanicsOnline: 2, mechanicsFree: 2, typicalWait: null },
          ],
        },
      },
    });
    expect(await fetchPublicStats('http://x')).toEqual({ mechanicsOnline: 3, medianWaitSeconds: 140 });
    answer(200, { result: { data: { online: 'many' } } });
    expect(await fetchPublicStats('http://x')).toBeNull();
  });
});
