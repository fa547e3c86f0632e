import { useTRPC } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { LogInForm } from '../auth/AuthScreen.tsx';
import { hrefFor } from '../routing.ts';
import { PageHeading } from '../ui/PageHeading.tsx';
import { describeWait } from '../ui/time.ts';
import { usePublicStats } from './public-stats.ts';

/** A first visit: what this is, what it costs, who helps, how long it takes; then book or log in. */
export function Landing() {
  const id = useId();
  const trpc = useTRPC();
  const workshops = useQuery(trpc.workshop.list.queryOptions());
  const stats = usePublicStats();
  const names = workshops.data?.map((w) => w.name) ?? [];
  return (
    <>
      <section className="card landing" aria-labelledby={`${id}-title`}>
        <PageHeading id={`${id}-title`} focusKey="landing">
          A real mechanic, live, when your car acts up
        </PageHeading>
        <p className="lead">
          Tell us what your car is doing. A mechanic joins you by video call, chat or a guided diagnostic, or
          expects you at their workshop.
        </p>
        <div className="button-row">
          <a className="button button--primary" href={hrefFor({ name: 'book' })}>
            Book a mechanic
          </a>
        </div>
        <p className="muted">
          No account needed to start: we keep what you type on this device until you send it.
        </p>
        <dl className="facts">
          <div className="fact">
            <dt>What it costs</dt>
            <dd>
              <strong>Free</strong> after you sign a short liability waiver, or <strong>$29</strong> per paid
              session with no waiver.
            </dd>
          </div>
          <div className="fact">
            <dt>Who helps you</dt>
            <dd>
              Working mechanics
              {names.length > 0 ? ` from ${joinNames(names)}` : ' from partner workshops'}, plus remote
              mechanics for video, chat and diagnostics.
            </dd>
          </div>
          <div className="fact">
            <dt>How long it takes</dt>
            <dd data-testid="wait-figure">
              {stats.data ? (
                <>
                  {stats.data.mechanicsOnline === 0
                    ? 'No mechanic is online right now; your request waits in the queue for the next one.'
                    : `${stats.data.mechanicsOnline} mechanic${stats.data.mechanicsOnline === 1 ? '' : 's'} online now`}
                  {stats.data.mechanicsOnline > 0 && stats.data.medianWaitSeconds !== null
                    ? `; a request is usually taken in ${describeWait(stats.data.medianWaitSeconds)}.`
                    : stats.data.mechanicsOnline > 0
                      ? '.'
                      : ''}
                </>
              ) : (
                'Once you book, you see your place in the queue and the time waited, live. Urgent requests are seen first.'
              )}
            </dd>
          </div>
        </dl>
      </section>
      <LogInForm embedded />
    </>
  );
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
