import { router } from '../../trpc.ts';
import { devices, removeDevice, unsubscribe } from './devices.ts';
import { focus } from './focus.ts';
import { publicKey } from './public-key.ts';
import { subscribe } from './subscribe.ts';

export const pushRouter = router({ publicKey, subscribe, unsubscribe, devices, removeDevice, focus });
