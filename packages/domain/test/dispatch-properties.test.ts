import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capacityAllows } from '../src/capacity.ts';
import type { MechanicLoad } from '../src/dispatch/capacity.ts';
import {
  addLoad,
  capacityVerdict,
  compareRequests,
  honestPosition,
  rankTime,
  URGENT_HEAD_START_MS,
  type WaitingFacts,
  type WaitingRequest,
  waitingMessage,
  withinCapacity,
} from '../src/dispatch/index.ts';
import { SESSION_TYPES, type SessionType } from '../src/statuses.ts';
import { NOW } from './fixtures.ts';

/**
 * A pure model of the marketplace's capacity bookkeeping. Offers are made by the dispatcher from
 * what it read earlier (possibly stale); an accept is one atomic conditional write that applies the
 * same rule to the load at that moment (as the accept transaction's SQL does); completions free load.
 */
type Step =
  | { kind: 'read' }
  | { kind: 'offer'; request: number; mechanic: number }
  | { kind: 'accept'; request: number; mechanic: number }
  | { kind: 'complete'; request: number };

interface Model {
  capacity: number[];
  load: MechanicLoad[];
  /** The dispatcher's last read of the loads: offers use it, so it can be stale. */
  seen: MechanicLoad[];
  requests: {
    type: SessionType;
    status: 'waiting' | 'offered' | 'accepted' | 'done';
    mechanic: number | null;
  }[];
}

function run(
  capacities: number[],
  types: SessionType[],
  steps: Step[],
  acceptChecksCapacity: boolean,
): { ok: boolean; model: Model } {
  const zero = () => capacities.map(() => ({ virtual: 0, inPerson: 0 }));
  const model: Model = {
    capacity: capacities,
    load: zero(),
    seen: zero(),
    requests: types.map((type) => ({ type, status: 'waiting', mechanic: null })),
  };
  for (const step of steps) {
    if (step.kind === 'read') {
      model.seen = model.load.map((l) => ({ ...l }));
      continue;
    }
    const request = model.requests[step.request % model.requests.length];
    if (!request) continue;
    if (step.kind === 'complete') {
      if (request.status === 'accepted' && request.mechanic !== null) {
        model.load[request.mechanic] = addLoad(
          model.load[request.mechanic] as MechanicLoad,
          request.type,
          -1,
        );
        request.status = 'done';
      }
      continue;
    }
    const m = step.mechanic % capacities.length;
    const capacity = capacities[m] as number;
    if (step.kind === 'offer') {
      // The dispatcher skips mechanics it saw at capacity.
      if (
        request.status === 'waiting' &&
        capacityVerdict(model.seen[m] as MechanicLoad, capacity, request.type).ok
      ) {
        request.status = 'offered';
        request.mechanic = m;
      }
      continue;
    }
    // accept: of a waiting request (broadcast) or of an offer to this mechanic (targeted).
    const open = request.status === 'waiting' || (request.status === 'offered' && request.mechanic === m);
    if (!open) continue;
    if (acceptChecksCapacity && !capacityVerdict(model.load[m] as MechanicLoad, capacity, request.type).ok)
      continue;
    model.load[m] = addLoad(model.load[m] as MechanicLoad, request.type);
    request.status = 'accepted';
    request.mechanic = m;
    if (!model.load.every((l, i) => withinCapacity(l, capacities[i] as number))) return { ok: false, model };
  }
  return { ok: true, model };
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'read' } as const),
  fc.record({ kind: fc.constant('offer' as const), request: fc.nat(20), mechanic: fc.nat(5) }),
  fc.record({ kind: fc.constant('accept' as const), request: fc.nat(20), mechanic: fc.nat(5) }),
  fc.record({ kind: fc.constant('complete' as const), request: fc.nat(20) }),
);
const world = fc.record({
  capacities: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
  types: fc.array(fc.constantFrom(...SESSION_TYPES), { minLength: 1, maxLength: 12 }),
  steps: fc.array(stepArb, { maxLength: 80 }),
});

describe('capacity rule', () => {
  it('capacityVerdict (with reasons) and capacityAllows (the accept statement’s mirror) always agree', () => {
    fc.assert(
      fc.property(
        fc.record({ virtual: fc.nat(4), inPerson: fc.nat(2) }),
        fc.nat(4),
        fc.constantFrom(...SESSION_TYPES),
        (load, capacity, type) => {
          expect(capacityVerdict(load, capacity, type).ok).toBe(capacityAllows(load, capacity, type));
        },
      ),
    );
  });
});

describe('capacity under any interleaving', () => {
  it('no interleaving of offers, accepts and completions takes a mechanic past capacity', () => {
    fc.assert(
      fc.property(world, ({ capacities, types, steps }) => {
        expect(run(capacities, types, steps, true).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('checking only when offering is not enough: the accept must apply the rule itself', () => {
    const result = fc.check(
      fc.property(world, ({ capacities, types, steps }) => run(capacities, types, steps, false).ok),
      { numRuns: 500 },
    );
    expect(result.failed).toBe(true);
  });
});

const requestArb = (id: number) =>
  fc
    .record({
      urgent: fc.boolean(),
      queuedAt: fc.integer({ min: 0, max: 60 * 60_000 }).map((ms) => new Date(NOW.getTime() + ms)),
    })
    .map((r) => ({ id: `r${id}`, ...r }));

describe('fair order with ageing', () => {
  it('anything ahead of a request was queued before it, or is urgent and queued at most the head start after it', () => {
    const ids = fc.array(fc.nat(), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(
        ids.chain((list) => fc.tuple(...list.map((_, i) => requestArb(i)))),
        (requests) => {
          const order = [...requests].sort(compareRequests);
          order.forEach((r, i) => {
            for (const ahead of order.slice(0, i)) {
              // How much later than r the one ahead may have been queued: H for urgent over normal,
              // -H for normal over urgent (a normal request must have waited H longer), else 0.
              const allowance =
                (ahead.urgent ? URGENT_HEAD_START_MS : 0) - (r.urgent ? URGENT_HEAD_START_MS : 0);
              expect(ahead.queuedAt.getTime()).toBeLessThanOrEqual(r.queuedAt.getTime() + allowance);
            }
          });
        },
      ),
    );
  });

  it('urgent goes before normal when both are fresh (queued less than the head start apart)', () => {
    fc.assert(
      fc.property(requestArb(1), fc.integer({ min: 0, max: URGENT_HEAD_START_MS - 1 }), (normal, later) => {
        const urgent = { id: 'u', urgent: true, queuedAt: new Date(normal.queuedAt.getTime() + later) };
        expect(compareRequests(urgent, { ...normal, urgent: false })).toBeLessThan(0);
      }),
    );
  });

  it('a normal request is served within a bounded time however many urgent requests keep arriving', () => {
    const tickMs = 30_000;
    const maxArrivals = 3;
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.boolean(), { maxLength: maxArrivals }), { minLength: 1, maxLength: 60 }),
        fc.nat(59),
        (arrivalsPerTick, watchTick) => {
          // One mechanic frees up per tick and takes the first request in order; urgent ones arrive all the time.
          let next = 0;
          const waiting: { id: string; urgent: boolean; queuedAt: Date; tick: number }[] = [];
          let watched: string | null = null;
          let backlogAtArrival = 0;
          for (let tick = 0; tick < 1000; tick += 1) {
            const arrivals = arrivalsPerTick[tick] ?? [true, true, true];
            for (const urgent of arrivals) {
              next += 1;
              waiting.push({
                id: `r${next}`,
                urgent,
                queuedAt: new Date(NOW.getTime() + tick * tickMs),
                tick,
              });
            }
            if (tick === watchTick) {
              next += 1;
              watched = `r${next}`;
              backlogAtArrival = waiting.length;
              waiting.push({
                id: watched,
                urgent: false,
                queuedAt: new Date(NOW.getTime() + tick * tickMs),
                tick,
              });
            }
            waiting.sort(compareRequests);
            const served = waiting.shift();
            if (watched && served?.id === watched) {
              const waitedTicks = tick - watchTick;
              const bound = backlogAtArrival + maxArrivals * (URGENT_HEAD_START_MS / tickMs + 1);
              expect(waitedTicks).toBeLessThanOrEqual(bound);
              return;
            }
          }
          // Not served within 1000 ticks: starvation.
          expect.unreachable(`request ${watched} was never served`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rank time never puts a normal request ahead of an urgent one queued at the same moment', () => {
    fc.assert(
      fc.property(requestArb(1), (r) => {
        expect(rankTime({ ...r, urgent: true })).toBeLessThan(rankTime({ ...r, urgent: false }));
      }),
    );
  });
});

const mechanicArb = fc.record({
  userId: fc.constantFrom('a', 'b', 'c', 'd'),
  kind: fc.constantFrom('virtual_only', 'workshop' as const),
  workshopId: fc.constantFrom('harbor', 'north', null),
});
const waitingArb = (id: number): fc.Arbitrary<WaitingRequest> =>
  fc
    .record({
      urgent: fc.boolean(),
      queuedAt: fc.integer({ min: 0, max: 3_600_000 }).map((ms) => new Date(NOW.getTime() + ms)),
      sessionType: fc.constantFrom(...SESSION_TYPES),
      workshopId: fc.constantFrom('harbor', 'north', null),
    })
    .map((r) => ({ id: `r${id}`, ...r, workshopId: r.sessionType === 'in_person' ? r.workshopId : null }));

describe('honest position', () => {
  it('is at least 1 and never more than the global position', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.nat(), { minLength: 1, maxLength: 20 })
          .chain((ids) => fc.tuple(...ids.map((_, i) => waitingArb(i)))),
        fc.array(mechanicArb, { maxLength: 4 }),
        fc.array(mechanicArb, { maxLength: 6 }),
        (waiting, online, everyone) => {
          const sorted = [...waiting].sort(compareRequests);
          sorted.forEach((target, i) => {
            const position = honestPosition(target, waiting, online, [...online, ...everyone]);
            expect(position).toBeGreaterThanOrEqual(1);
            expect(position).toBeLessThanOrEqual(i + 1);
          });
          const first = sorted[0] as WaitingRequest;
          expect(honestPosition(first, waiting, online, everyone)).toBe(1);
        },
      ),
    );
  });
});

describe('waiting message', () => {
  const factsArb: fc.Arbitrary<WaitingFacts> = fc.record({
    mode: fc.constantFrom('broadcast', 'targeted' as const),
    online: fc.nat(5),
    free: fc.nat(5),
    position: fc.integer({ min: 1, max: 10 }),
    offeredNow: fc.boolean(),
    nextRoundAt: fc.option(fc.integer({ min: -60, max: 60 }).map((s) => new Date(NOW.getTime() + s * 1000))),
    returned: fc.constantFrom(null, 'mechanic_lost_connection', 'moved_by_support' as const),
    typicalWait: fc.constant(null),
  });

  it('never claims someone is there when nobody is online, nor "first in line" with requests ahead', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const { code, params } = waitingMessage(facts, NOW);
        if (facts.online === 0) expect(code).toBe('no_mechanic_online');
        if (code === 'all_busy_first_in_line' || code === 'shown_to_mechanics') expect(params.ahead).toBe(0);
        if (code === 'offering_one_at_a_time') expect(facts.mode).toBe('targeted');
        if (code === 'new_round_soon') expect(params.nextRoundInSeconds).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
