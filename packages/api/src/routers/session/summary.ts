import { sessionSummary } from '../../queries/completion.ts';
import { visibleSessionProcedure } from '../resources.ts';

/**
 * How a session went, for the people in it: outcome, the mechanic's note and findings, who and
 * when, the customer's rating and whether they may still rate. The customer, the session's own
 * mechanic and admins; anyone else gets NOT_FOUND, as for an unknown id.
 */
export const summary = visibleSessionProcedure.query(({ ctx }) =>
  sessionSummary(ctx.db, ctx.assignment, ctx.user.viewer),
);
