import { describe, expect, it } from 'vitest';
import { awayText, blockedReason, chosenAvailability, dashboardStatus } from './status.ts';

describe('one dashboard status', () => {
  it('never says available while the socket is down, whatever the server last saw', () => {
    const s = dashboardStatus('reconnecting', { availability: 'available', presence: 'available' });
    expect(s.kind).toBe('offline');
    expect(blockedReason(s)).toBe('You are offline');
  });
  it('a mechanic who never chose reads as Away (one radio is always chosen)', () => {
    const mechanic = { availability: 'offline', presence: 'offline' } as const;
    expect(chosenAvailability(mechanic)).toBe('away');
    expect(dashboardStatus('live', mechanic).kind).toBe('away');
  });
  it('chosen available but not yet seen by the server is "connecting", not available', () => {
    expect(dashboardStatus('live', { availability: 'available', presence: 'offline' }).kind).toBe(
      'connecting',
    );
    expect(dashboardStatus('live', { availability: 'available', presence: 'available' }).kind).toBe(
      'available',
    );
  });
  it('shows why the system set them away', () => {
    const text = awayText({
      availability: 'away',
      presence: 'away',
      awayReason: 'Set to away after 2 missed offers',
      awaySetAt: '2026-12-01T14:02:00Z',
    });
    expect(text).toMatch(/^Set to away after 2 missed offers at \d\d:02\. Choose Available/);
  });
});
