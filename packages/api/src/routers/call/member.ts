import { callPeerOf, canView } from '@dispatch/domain';
import { notFound } from '../../commands/errors.ts';
import { loadAssignment, visibilityFacts } from '../../queries/rows.ts';
import { signedInProcedure } from '../../trpc.ts';
import { sessionIdInput } from '../resources.ts';

/**
 * A member of the session's video call: its customer or its assigned mechanic, while the session
 * is an accepted video session (the domain's isCallMember, on top of canView). Anyone else, and
 * anything else, answers exactly like an unknown session. Hands on the peer's user id.
 */
export const callMemberProcedure = signedInProcedure
  .input(sessionIdInput)
  .use(async ({ ctx, input, next }) => {
    const assignment = await loadAssignment(ctx.db, { sessionId: input.sessionId });
    const facts = assignment ? visibilityFacts(assignment) : null;
    const viewer = ctx.user.viewer;
    const peerId =
      facts && canView(viewer, facts, ctx.config.dispatchMode) ? callPeerOf(viewer, facts) : null;
    if (!assignment || !peerId) throw notFound();
    return next({ ctx: { call: { sessionId: assignment.sessionId, peerId } } });
  });
