import { useConnection, useTRPC } from '@dispatch/web';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
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
      q.state.data?.availability === 'available' && q.state.data.presence !== 'available' ? 2_000 : 20_000,
  });
  const { status } = connection;
  useEffect(() => {
    if (enabled && (status === 'live' || status === 'offline'))
      void queryClient.invalidateQueries({ queryKey: trpc.mechanic.status.queryKey() });
  }, [enabled, status, queryClient, trpc]);
  const mechanic = query.data ?? null;
  return {
    mechanic,
    status: dashboardStatus(
      status,
      mechanic ?? { availability: 'offline', presence: 'offline', awayReason: null },
    ),
  };
}
