import type { Completion } from '@dispatch/domain';
import { errorCode, errorMessage, useTRPC } from '@dispatch/web';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useCallback, useState } from 'react';
import { headline } from '../alerts/describe.ts';
import type { AssignmentCard } from '../api-types.ts';
import { useNotice } from '../notices/notices.tsx';
import type { QueueFeed } from './useQueueFeed.ts';

type Busy = 'accept' | 'decline' | 'complete';

/** The domain refusal a CONFLICT carries (`data.refusal`), if any. */
function refusalOf(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const refusal = (error.data as { refusal?: unknown } | undefined)?.refusal;
  return typeof refusal === 'string' ? refusal : null;
}

/** Refusals about the mechanic, not the request: the card stays, the status is asked again. */
const ABOUT_ME = new Set(['not_available', 'at_capacity']);

/**
 * Accept, decline and complete with immediate feedback: the card shows "Accepting…" at once; the
 * winner's card moves to My sessions as soon as the server answers (before the stream confirms);
 * a lost race removes the card and says it was taken by another mechanic.
 */
export function useQueueActions(feed: QueueFeed) {
  const trpc = useTRPC();
  const notice = useNotice();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<ReadonlyMap<string, Busy>>(new Map());
  const mark = useCallback((id: string, what: Busy | null) => {
    setBusy((current) => {
      const next = new Map(current);
      if (what) next.set(id, what);
      else next.delete(id);
      return next;
    });
  }, []);
  const accept = useMutation(trpc.assignment.accept.mutationOptions());
  const decline = useMutation(trpc.assignment.decline.mutationOptions());
  const complete = useMutation(trpc.assignment.complete.mutationOptions());
  const { applyLocal } = feed;

  const run = useCallback(
    /** Resolves true when the server did it; what went wrong has been told as a notice. */
    async (card: AssignmentCard, what: Busy, completion?: Completion): Promise<boolean> => {
      mark(card.assignmentId, what);
      try {
        const input = { assignmentId: card.assignmentId };
        const result =
          what === 'complete'
            ? completion
              ? await complete.mutateAsync({ ...input, ...completion })
              : null
            : await (what === 'accept' ? accept : decline).mutateAsync(input);
        if (what === 'complete' && !completion) return false;
        if (result) applyLocal({ kind: 'upsert', card: result });
        else applyLocal({ kind: 'removed', assignmentId: card.assignmentId, reason: 'declined' });
        const about = { subject: card.assignmentId };
        if (what === 'accept') notice(`You accepted — ${headline(card)}`, 'success', undefined, about);
        if (what === 'complete') notice(`Completed — ${headline(card)}`, 'success', undefined, about);
        return true;
      } catch (error) {
        const code = errorCode(error);
        const refusal = refusalOf(error);
        if (refusal && ABOUT_ME.has(refusal)) {
          notice(errorMessage(error), 'warning');
          void queryClient.invalidateQueries({ queryKey: trpc.mechanic.status.queryKey() });
        } else if (what === 'accept' && code === 'CONFLICT') {
          applyLocal({ kind: 'removed', assignmentId: card.assignmentId, reason: 'taken' });
          notice(`Taken by another mechanic — ${headline(card)}`, 'warning', `gone:${card.assignmentId}`);
        } else if (code === 'NOT_FOUND') {
          applyLocal({ kind: 'removed', assignmentId: card.assignmentId, reason: 'unavailable' });
          notice(`No longer available — ${headline(card)}`, 'warning', `gone:${card.assignmentId}`);
        } else {
          notice(errorMessage(error), 'error');
        }
        return false;
      } finally {
        mark(card.assignmentId, null);
      }
    },
    [accept, decline, complete, applyLocal, mark, notice, queryClient, trpc],
  );

  return { busy, run };
}
