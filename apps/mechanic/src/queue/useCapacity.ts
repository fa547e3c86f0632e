import { useTRPC } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import type { AssignmentCard } from '../api-types.ts';

/**
 * What this mechanic may take now, by session type (the domain's capacity rule, from
 * `stats.mine`): a card they could not accept shows why, with Accept disabled, and raises no
 * alert. Re-read whenever their own sessions change, and now and then.
 */
export function useCapacity(enabled: boolean, changeKey: string) {
  const trpc = useTRPC();
  const mine = useQuery({ ...trpc.stats.mine.queryOptions(), enabled, refetchInterval: 15_000 });
  const { refetch } = mine;
  useEffect(() => {
    if (enabled && changeKey) void refetch();
  }, [enabled, changeKey, refetch]);
  const acceptable = mine.data?.acceptable;
  return useCallback(
    (card: AssignmentCard): string | null => {
      const verdict = acceptable?.[card.sessionType];
      // Availability has its own status and banner (and changes faster than this is re-read): only
      // the capacity verdicts block a card here.
      return verdict && !verdict.ok && verdict.code !== 'not_available' ? verdict.message : null;
    },
    [acceptable],
  );
}
