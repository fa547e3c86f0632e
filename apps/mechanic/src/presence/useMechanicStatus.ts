import { useConnection, useTRPC } from '@dispatch/web';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { type DashboardStatus, dashboardStatus, type MechanicPresence } from './status.ts';

export interface MechanicStatus {
  /** Null until the first answer (and for admins). */
  mechanic: MechanicPresence | null;
  status: DashboardStatus;
}

/**
 * The mechanic's availability and presence from `mechanic.status`, combined with the connection
 * into the one status the header shows. Asked again when the socket comes or goes, every 20 s, and
 * every 2 s while the choice is Available but the server has not seen this dashboard yet.
 */
export function useMechanicStatus(enabled: boolean): MechanicStatus {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const connection = useConnection();
  const query = useQuery({
    ...trpc.mechanic.status.queryOptions(undefined, { enabled }),
    refetchInterval: (q) =>
      q.state.data?.availability === 'available' && q.state.data.presence !== 'available' ? 1_000 : 20_000,
  });
  const { status } = connection;
  useEffect(() => {
    if (enabled && (status === 'live' || status === 'offline'))
      void queryClient.invalidateQueries({ queryKey: trpc.mechanic.status.queryKey() });
  }, [enabled, status, queryClient, trpc]);
  // Chosen Available and connected, but the server has not counted this socket yet (its heartbeat
  // raced this query): say "I am here" once per connection instead of waiting for the next beat.
  const touch = useMutation(trpc.mechanic.touch.mutationOptions());
  const touchedFor = useRef(-1);
  const { reconnects } = connection;
  const data = query.data;
  const { mutate: touchNow } = touch;
  useEffect(() => {
    if (!enabled || status !== 'live' || data?.availability !== 'available' || data.presence === 'available')
      return;
    if (touchedFor.current === reconnects) return;
    touchedFor.current = reconnects;
    touchNow(undefined, {
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.mechanic.status.queryKey() }),
    });
  }, [enabled, status, data, reconnects, touchNow, queryClient, trpc]);
  const mechanic = query.data ?? null;
  return {
    mechanic,
    status: dashboardStatus(
      status,
      mechanic ?? { availability: 'offline', presence: 'offline', awayReason: null },
    ),
  };
}
