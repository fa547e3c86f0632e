/** What the browser apps may import: types only, never server code. */

export type { AssignmentCard, QueueEvent, SessionEvent, SessionSummary } from '@dispatch/domain';
export type { AppRouter, RouterInputs, RouterOutputs } from './root.ts';
