import { sessionContacts } from '../../queries/completion.ts';
import { visibleSessionProcedure } from '../resources.ts';

/**
 * Where to go and whom to call, once it is accepted: the workshop's address, phone and map link for
 * an in-person visit (to everyone in the session), and the customer's callback phone (to the
 * session's own mechanic and admins only). Kept out of `session.get` and every stream on purpose.
 */
export const contacts = visibleSessionProcedure.query(({ ctx }) =>
  sessionContacts(ctx.db, ctx.assignment, ctx.user.viewer),
);
