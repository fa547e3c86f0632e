import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awayNotice, recordOfferOutcome } from '../src/alerts/missed-offers.ts';
import { PushSender } from '../src/alerts/sender.ts';
import { createTestApi, log, type TestApi } from './harness.ts';
import { type LocalPushService, startLocalPushService } from './support/push-service.ts';

let api: TestApi;
let pushService: LocalPushService;

beforeAll(async () => {
  [api, pushService] = await Promise.all([
    createTestApi({ dispatchMode: 'targeted' }),
    startLocalPushService(),
  ]);
});
afterAll(async () => {
  await pushService?.close();
  await api?.close();
});

it('two unanswered offers in a row set the mechanic away with the reason, and tell them by push exactly once', async () => {
  const email = 'virtual@demo.test';
  const mechanic = await api.as(email);
  const { id } = await api.user(email);
  await mechanic.mechanic.setAvailability({ availability: 'available' });
  const { publicKey } = await mechanic.push.publicKey();
  const device = await pushService.subscribe(publicKey);
  await mechanic.push.subscribe({ endpoint: device.endpoint, keys: device.keys });

  const at = new Date('2026-12-01T14:02:00Z');
  const outcome = (o: 'expired' | 'declined') =>
    recordOfferOutcome(api.database.db, { mechanicId: id, outcome: o, at });
  expect(await outcome('expired')).toMatchObject({ setAway: false, missedOffers: 1 });
  expect(await outcome('declined')).toMatchObject({ setAway: false, missedOffers: 0 });
  expect(await outcome('expired')).toMatchObject({ setAway: false });
  const decision = await outcome('expired');
  expect(decision).toEqual({ setAway: true, missedOffers: 0, reason: 'Set to away after 2 missed offers' });

  expect(await mechanic.mechanic.status()).toMatchObject({
    availability: 'away',
    awayReason: 'Set to away after 2 missed offers',
    awaySetAt: at,
  });

  // Two processes both hear of it; the claim lets one push through.
  const registry = new Registry();
  const settings = { dispatchMode: 'targeted' as const, offerTimeoutMs: 30_000, queueTimeoutMs: 900_000 };
  const senders = ['one', 'two'].map(
    (name) => new PushSender({ db: api.database.db, log, settings, instanceId: name, registry }),
  );
  const notice = awayNotice(decision.reason ?? '', at);
  await Promise.all(senders.map((s) => s.notifyUser(id, notice.payload, notice.claimKey)));
  const got = (await pushService.messages(device.clientHash)).map(
    (m) => JSON.parse(m) as { title: string; body: string },
  );
  expect(got).toHaveLength(1);
  expect(got[0]?.title).toBe('You are now away');
  expect(got[0]?.body).toMatch(/^Set to away after 2 missed offers \(14:02 UTC\)/);

  // Choosing Available clears the reason.
  await mechanic.mechanic.setAvailability({ availability: 'available' });
  expect(await mechanic.mechanic.status()).toMatchObject({ availability: 'available', awayReason: null });
});
