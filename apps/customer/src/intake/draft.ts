import type { RouterOutputs } from '@dispatch/api/client-types';
import { emptyDraft, type IntakeDraft, newIdempotencyKey } from './intake-form.ts';

const KEY = 'mechanic-on-call:intake-draft:v1';

/** What survives a reload, a sign-up in between, or a failed booking: the form's values and its booking key. */
export interface StoredDraft {
  draft: IntakeDraft;
  /** One per booking attempt: a retry after a lost answer books once, never twice. */
  idempotencyKey: string;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function loadDraft(): StoredDraft | null {
  const raw = storage()?.getItem(KEY);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<StoredDraft>;
    if (!parsed.draft || typeof parsed.idempotencyKey !== 'string') return null;
    return { draft: { ...emptyDraft(), ...parsed.draft }, idempotencyKey: parsed.idempotencyKey };
  } catch {
    return null;
  }
}

export function saveDraft(stored: StoredDraft): void {
  try {
    storage()?.setItem(KEY, JSON.stringify(stored));
  } catch {
    // Private mode or a full disk: the form still works, it just forgets on reload.
  }
}

export function clearDraft(): void {
  storage()?.removeItem(KEY);
}

/** True when the draft holds something the customer typed (not just defaults). */
export function hasContent(draft: IntakeDraft): boolean {
  return Boolean(draft.vehicleYear || draft.vehicleMake || draft.vehicleModel || draft.concern.trim());
}

/** "Try again with the same details": a new draft (and a new booking key) from a request that ended. */
export function draftFromSession(
  session: Pick<
    RouterOutputs['session']['get'],
    'customerName' | 'vehicle' | 'concern' | 'sessionType' | 'workshop' | 'plan' | 'urgent'
  >,
): StoredDraft {
  return {
    draft: {
      customerName: session.customerName,
      vehicleYear: String(session.vehicle.year),
      vehicleMake: session.vehicle.make,
      vehicleModel: session.vehicle.model,
      concern: session.concern,
      sessionType: session.sessionType,
      workshopId: session.workshop?.id ?? '',
      plan: session.plan,
      urgent: session.urgent,
      // Never sent back to the customer's browser after booking: typed again if asked.
      callbackPhone: '',
    },
    idempotencyKey: newIdempotencyKey(),
  };
}
