import { router } from '../../trpc.ts';
import { logIn } from './log-in.ts';
import { logOut } from './log-out.ts';
import { me } from './me.ts';
import { signUp } from './sign-up.ts';

export const authRouter = router({ signUp, logIn, logOut, me });
