// Commands: every state change, without the transport. Each makes one versioned read (done by the
// caller's resource procedure, or here after a lost race) and one write statement.
export { type ActRequest, actOnAssignment, type TransitionEvent } from './act-on-assignment.ts';
export { createSession, existingBooking } from './create-session.ts';
export { CommandError } from './errors.ts';
export { rateSession } from './rate-session.ts';
export { signWaiver } from './sign-waiver.ts';
