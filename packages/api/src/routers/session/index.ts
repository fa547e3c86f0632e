import { router } from '../../trpc.ts';
import { cancel } from './cancel.ts';
import { contacts } from './contacts.ts';
import { create } from './create.ts';
import { current } from './current.ts';
import { get } from './get.ts';
import { listMine } from './list-mine.ts';
import { onChange } from './on-change.ts';
import { rate } from './rate.ts';
import { summary } from './summary.ts';

export const sessionRouter = router({
  create,
  get,
  current,
  listMine,
  cancel,
  onChange,
  summary,
  contacts,
  rate,
});
