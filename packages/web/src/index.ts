export { createApiClient, reconnectDelayMs, type WsClient } from './client.ts';
export {
  type Connection,
  ConnectionIndicator,
  ConnectionProvider,
  type ConnectionStatus,
  useConnection,
  usePollingFallback,
} from './connection.tsx';
export { errorCode, errorMessage, fieldErrors } from './errors.ts';
export { ApiProvider, retryAfterMsOf } from './provider.tsx';
export { TRPCProvider, useTRPC, useTRPCClient } from './trpc.ts';
