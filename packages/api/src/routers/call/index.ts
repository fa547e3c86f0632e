import { router } from '../../trpc.ts';
import { config } from './config.ts';
import { onSignal } from './on-signal.ts';
import { signal } from './signal.ts';

/** The video call of an accepted video session: ICE configuration and signalling (WebRTC). */
export const callRouter = router({ config, signal, onSignal });
