import { router } from '../../trpc.ts';
import { finished } from './finished.ts';
import { setAvailability } from './set-availability.ts';
import { status } from './status.ts';
import { touch } from './touch.ts';

export const mechanicRouter = router({ setAvailability, status, touch, finished });
