import {
  type AssignmentStatus,
  type DispatchMode,
  isVirtual,
  type MechanicKind,
  type SessionType,
} from './statuses.ts';

export type Viewer =
  | { role: 'customer'; userId: string }
  | { role: 'mechanic'; userId: string; kind: MechanicKind; workshopId: string | null }
  | { role: 'admin'; userId: string };

export type MechanicViewer = Extract<Viewer, { role: 'mechanic' }>;

/** The facts about an assignment that decide who may see it. */
export interface VisibilityFacts {
  status: AssignmentStatus;
  customerId: string;
  mechanicId: string | null;
  sessionType: SessionType;
  /** The workshop the customer chose (in-person only); null means any workshop. */
  workshopId: string | null;
}

/** Whether this mechanic's skills and workshop fit the request, whatever its status. */
export function isEligible(
  mechanic: Pick<MechanicViewer, 'kind' | 'workshopId'>,
  request: Pick<VisibilityFacts, 'sessionType' | 'workshopId'>,
): boolean {
  if (mechanic.kind === 'virtual_only') return isVirtual(request.sessionType);
  return request.workshopId === null || request.workshopId === mechanic.workshopId;
}

/** The one rule for who may see an assignment. The queue query and every event filter derive from it. */
export function canView(viewer: Viewer, a: VisibilityFacts, mode: DispatchMode = 'broadcast'): boolean {
  switch (viewer.role) {
    case 'admin':
      return true;
    case 'customer':
      return a.customerId === viewer.userId;
    case 'mechanic':
      if (!isEligible(viewer, a)) return false;
      switch (a.status) {
        case 'queued':
          return mode === 'broadcast';
        case 'offered':
        case 'accepted':
        case 'completed':
        case 'cancelled':
          return a.mechanicId === viewer.userId;
        case 'pending_waiver':
        case 'declined':
        case 'expired':
          return false;
      }
  }
}

/** Whether the viewer could accept it right now: the mechanic's queue. */
export function canTake(viewer: Viewer, a: VisibilityFacts, mode: DispatchMode = 'broadcast'): boolean {
  if (viewer.role !== 'mechanic' || !canView(viewer, a, mode)) return false;
  return a.status === 'queued' || a.status === 'offered';
}

export const REMOVAL_REASONS = [
  'taken',
  'offered_elsewhere',
  'cancelled',
  'declined',
  'expired',
  'unavailable',
] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

/**
 * Why an assignment left a viewer's sight, or null if it did not.
 * Only this bare fact (and the id) is sent to a viewer who can no longer see it.
 */
export function removalReason(
  viewer: Viewer,
  before: VisibilityFacts | null,
  after: VisibilityFacts,
  mode: DispatchMode = 'broadcast',
): RemovalReason | null {
  if (!before || !canView(viewer, before, mode) || canView(viewer, after, mode)) return null;
  switch (after.status) {
    case 'accepted':
      return 'taken';
    case 'offered':
      return 'offered_elsewhere';
    case 'cancelled':
      return 'cancelled';
    case 'declined':
      return 'declined';
    case 'expired':
      return 'expired';
    default:
      return 'unavailable';
  }
}

/**
 * Viewers who see every event alike unless it names them: what a staff viewer may see of an
 * assignment depends on their role, skills and workshop, and on their own id only where the
 * facts name it (as its mechanic or customer). One projection per class serves all its members
 * for any event that names none of them; `standIn` is a member who is nobody in particular.
 */
export interface VisibilityClass {
  key: string;
  standIn: Viewer;
}

export function visibilityClassOf(viewer: Viewer): VisibilityClass {
  switch (viewer.role) {
    case 'admin':
      return { key: 'admin', standIn: { role: 'admin', userId: '' } };
    case 'customer':
      // A customer sees only their own requests: every one of them is a class of its own.
      return { key: `customer:${viewer.userId}`, standIn: viewer };
    case 'mechanic':
      return {
        key: `mechanic:${viewer.kind}:${viewer.workshopId ?? ''}`,
        standIn: { role: 'mechanic', userId: '', kind: viewer.kind, workshopId: viewer.workshopId },
      };
  }
}

/** Whether a change's facts name this user, so their sight of it may differ from their class's. */
export function namesUser(userId: string, before: VisibilityFacts | null, after: VisibilityFacts): boolean {
  return (
    after.mechanicId === userId ||
    after.customerId === userId ||
    before?.mechanicId === userId ||
    before?.customerId === userId
  );
}
