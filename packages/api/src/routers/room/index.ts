import { router } from '../../trpc.ts';
import { get } from './get.ts';
import { history } from './history.ts';
import { mark } from './mark.ts';
import { onMessage } from './on-message.ts';
import { send } from './send.ts';
import { unread } from './unread.ts';

/** The session room: chat and photos between a session's customer and its mechanic. */
export const roomRouter = router({ get, history, send, mark, unread, onMessage });
