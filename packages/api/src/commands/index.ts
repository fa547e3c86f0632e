// Commands: every state change, without the transport. Each makes one versioned read (done by the
// caller's resource procedure, or here after a lost race) and one write statement.
export {
  type ActRequest,
  type ActResult,
  actOnAssignment,
  type TransitionEvent,
} from './act-on-assignment.ts';
export { type CreateSessionRequest, createSession, existingBooking } from './create-session.ts';
export { CommandError, type CommandErrorKind, notFound } from './errors.ts';
export { type SignWaiverRequest, signWaiver } from './sign-waiver.ts';
