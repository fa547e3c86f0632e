/** Every status an assignment can be in. Mirrors the Prisma `AssignmentStatus` enum (a test proves it). */
export const ASSIGNMENT_STATUSES = [
  'pending_waiver',
  'queued',
  'offered',
  'declined',
  'expired',
  'accepted',
  'cancelled',
  'completed',
] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

export const TERMINAL_STATUSES = ['cancelled', 'completed'] as const satisfies readonly AssignmentStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminal(status: AssignmentStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly AssignmentStatus[]).includes(status);
}

/** What the customer's session shows; derived from the assignment status, never set on its own. */
export const SESSION_STATUSES = [
  'pending_waiver',
  'waiting',
  'in_progress',
  'completed',
  'cancelled',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

const SESSION_STATUS_OF = {
  pending_waiver: 'pending_waiver',
  queued: 'waiting',
  offered: 'waiting',
  declined: 'waiting',
  expired: 'waiting',
  accepted: 'in_progress',
  cancelled: 'cancelled',
  completed: 'completed',
} as const satisfies Record<AssignmentStatus, SessionStatus>;

export function sessionStatusFor(status: AssignmentStatus): SessionStatus {
  return SESSION_STATUS_OF[status];
}

type WaitingStatus = {
  [S in AssignmentStatus]: (typeof SESSION_STATUS_OF)[S] extends 'waiting' ? S : never;
}[AssignmentStatus];

/** Assignment statuses in which the customer waits for a mechanic (the session is `waiting`). */
export const WAITING_STATUSES = ASSIGNMENT_STATUSES.filter(
  (status): status is WaitingStatus => SESSION_STATUS_OF[status] === 'waiting',
);

/** Session statuses of a request that is still open (not finished either way). */
export const OPEN_SESSION_STATUSES = [
  'pending_waiver',
  'waiting',
  'in_progress',
] as const satisfies readonly SessionStatus[];

export const SESSION_TYPES = ['video', 'chat', 'diagnostic', 'in_person'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

export const VIRTUAL_SESSION_TYPES = [
  'video',
  'chat',
  'diagnostic',
] as const satisfies readonly SessionType[];

export function isVirtual(type: SessionType): boolean {
  return type !== 'in_person';
}

export const PLANS = ['free', 'paid'] as const;
export type Plan = (typeof PLANS)[number];

export const USER_ROLES = ['customer', 'mechanic', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const MECHANIC_KINDS = ['virtual_only', 'workshop'] as const;
export type MechanicKind = (typeof MECHANIC_KINDS)[number];

export const AVAILABILITIES = ['available', 'away', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export const DISPATCH_MODES = ['broadcast', 'targeted'] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];
