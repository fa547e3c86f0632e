export { VideoCallPanel } from './call/VideoCallPanel.tsx';
export { createApiClient, reconnectDelayMs, type WsClient } from './client.ts';
export {
  type Connection,
  ConnectionIndicator,
  ConnectionProvider,
  type ConnectionStatus,
  useConnection,
  usePollingFallback,
} from './connection.tsx';
export {
  errorCode,
  errorMessage,
  fieldErrors,
  isTransient,
  isUnreachable,
  refusalCode,
  retryAfterMs,
  retryAfterMsOf,
  retryDelayMs,
  retryQuery,
  UNREACHABLE_MESSAGE,
} from './errors.ts';
export {
  CLOSE_SIGNED_OUT,
  CLOSE_TOO_SLOW,
  closeCodeOf,
  createLiveQueryClient,
  LiveApiProvider,
  useWsClient,
} from './live-api-provider.tsx';
export { foldLog, type LoggedEvent, pruneLog } from './live-log.ts';
export {
  applyIfNewer,
  type EventOf,
  type LiveSnapshot,
  type LiveSnapshotOptions,
  nextUnreachableSince,
  type Resync,
  readStreamItem,
  useLiveSnapshot,
  useUnreachableSince,
} from './live-snapshot.ts';
export { type LogOutDeps, type LogOutResult, logOut, useLogOut } from './log-out.ts';
export { useNow } from './now.ts';
export { RoomChat } from './room/RoomChat.tsx';
export { useUnreadTitle } from './room/unread-title.ts';
export { type Room, useRoom } from './room/use-room.ts';
export { calendarDay, clockTime, clockTimeWithSeconds, dayAndTime } from './time-format.ts';
export { TRPCProvider, useTRPC, useTRPCClient } from './trpc.ts';
