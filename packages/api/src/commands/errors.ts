import type { RefusalCode } from '@dispatch/domain';

/**
 * Why a command did not happen, without any transport in it: the tRPC layer maps each kind to a
 * code once (trpc.ts), the dispatcher and the audit fix match on the kind.
 */
export type CommandErrorKind =
  /** No such thing, or the caller may not see it: the two answers are the same on purpose. */
  | 'not_found'
  /** The domain refused the event; `refusal` says which rule. */
  | 'refused'
  /** Another actor moved first and the fresh state does not allow this any more. */
  | 'conflict'
  /** An input that only the server can check (a workshop that does not exist). */
  | 'invalid'
  /** The database is busy or away: nothing was written, try again after `retryAfterMs`. */
  | 'busy';

export class CommandError extends Error {
  constructor(
    readonly kind: CommandErrorKind,
    message: string,
    readonly details: { refusal?: RefusalCode; field?: string[]; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

export const notFound = () => new CommandError('not_found', 'This request is no longer available.');
