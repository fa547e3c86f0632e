import { router } from '../../trpc.ts';
import { setAvailability } from './set-availability.ts';

export const mechanicRouter = router({ setAvailability });
