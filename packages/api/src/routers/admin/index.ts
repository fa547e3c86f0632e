import { router } from '../../trpc.ts';
import { cancel, reassign, reoffer } from './actions.ts';
import { mechanics } from './mechanics.ts';
import { serviceLevel } from './service-level.ts';
import { setCapacity } from './set-capacity.ts';
import { trail } from './trail.ts';
import { whoCouldSee } from './who-could-see.ts';

export const adminRouter = router({
  trail,
  mechanics,
  serviceLevel,
  cancel,
  reoffer,
  reassign,
  setCapacity,
  whoCouldSee,
});
