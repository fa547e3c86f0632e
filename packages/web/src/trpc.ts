import type { AppRouter } from '@dispatch/api/client-types';
import { createTRPCContext } from '@trpc/tanstack-react-query';

/** Typed tRPC hooks over TanStack Query, shared by both apps. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
