import type { Completion } from '@dispatch/domain';
import { ConnectionIndicator } from '@dispatch/web';
import { useCallback, useMemo, useRef, useState } from 'react';
import { AdminBoard } from '../admin/AdminBoard.tsx';
import { AlertControls, SoundBlockedBanner } from '../alerts/AlertControls.tsx';
import { headline } from '../alerts/describe.ts';
import { useAlerts } from '../alerts/useAlerts.ts';
import type { AssignmentCard, Me, QueueEvent } from '../api-types.ts';
import { LogOutButton } from '../auth/LogOutButton.tsx';
import { MySessions } from '../my-sessions/MySessions.tsx';
import { useNotice } from '../notices/notices.tsx';
import { useReturnedNotices } from '../notices/useReturnedNotices.ts';
import { AvailabilitySwitch, useGoAvailable } from '../presence/AvailabilitySwitch.tsx';
import { blockedReason } from '../presence/status.ts';
import { useMechanicStatus } from '../presence/useMechanicStatus.ts';
import { usePush } from '../push/usePush.ts';
import { QueueSection } from '../queue/QueueSection.tsx';
import { allCards, mySessionCards, queueCards } from '../queue/queue-state.ts';
import { useCapacity } from '../queue/useCapacity.ts';
import { useGhosts } from '../queue/useGhosts.ts';
import { useQueueActions } from '../queue/useQueueActions.ts';
import { useQueueFeed } from '../queue/useQueueFeed.ts';
import { SettingsPanel } from '../settings/SettingsPanel.tsx';

const REMOVAL_TEXT: Record<Extract<QueueEvent, { kind: 'removed' }>['reason'], string> = {
  taken: 'Taken by another mechanic',
  offered_elsewhere: 'Offered to another mechanic',
  cancelled: 'Cancelled by the customer',
  declined: 'Declined',
  expired: 'Offer expired',
  unavailable: 'No longer available',
};

/** The signed-in screen: header with presence, connection and alerts; the queue and my sessions. */
export function Dashboard({ me }: { me: Me }) {
  const notice = useNotice();
  // Requests this mechanic pressed a button on (or that were offered to them): only these get a
  // toast when they go away.
  const touched = useRef(new Set<string>());
  const { ghosts, add: addGhost } = useGhosts();
  const onStreamEvent = useCallback(
    (event: QueueEvent, before: ReadonlyMap<string, AssignmentCard>) => {
      if (event.kind === 'removed') {
        const card = before.get(event.assignmentId);
        if (card && (card.status === 'queued' || card.status === 'offered'))
          addGhost(card, REMOVAL_TEXT[event.reason]);
        // An offer made to me that goes away is news to me too; others' queue churn is not.
        if (card && (touched.current.has(card.assignmentId) || card.status === 'offered'))
          notice(`${REMOVAL_TEXT[event.reason]} — ${headline(card)}`, 'warning', `gone:${card.assignmentId}`);
      } else if (
        event.kind === 'upsert' &&
        event.card.status === 'cancelled' &&
        before.get(event.card.assignmentId)?.status === 'accepted'
      ) {
        notice(
          `Customer cancelled — ${headline(event.card)}: ${event.card.cancelReason ?? ''}`,
          'warning',
          undefined,
          { subject: event.card.assignmentId },
        );
      }
    },
    [notice, addGhost],
  );
  const feed = useQueueFeed(onStreamEvent);
  const isAdmin = me.role === 'admin';
  const queue = useMemo(() => (isAdmin ? [] : queueCards(feed.cards)), [feed.cards, isAdmin]);
  const mine = useMemo(() => mySessionCards(feed.cards, me.id), [feed.cards, me.id]);
  const everything = useMemo(() => (isAdmin ? allCards(feed.cards) : []), [feed.cards, isAdmin]);
  const isMechanic = me.mechanic !== null;
  const { mechanic, status } = useMechanicStatus(isMechanic);
  // At capacity for a type: its cards say why, Accept is disabled, and they raise no alert (while
  // Away every card is known and silent anyway, so a card only alerts once it could be taken).
  const changeKey = `${status.kind}|${mine.map((card) => `${card.assignmentId}:${card.version}`).join(',')}`;
  const capacityReason = useCapacity(isMechanic, changeKey);
  useReturnedNotices(isMechanic);
  const available = status.kind === 'available';
  const alerting = useMemo(
    () =>
      isAdmin
        ? everything.filter((card) => card.status === 'queued')
        : queue.filter((card) => !available || capacityReason(card) === null),
    [isAdmin, everything, queue, capacityReason, available],
  );
  const blocked = isMechanic ? blockedReason(status) : null;
  const { goAvailable, pending: goingAvailable } = useGoAvailable();
  const unblock =
    status.kind === 'away' ? { label: 'Go available', run: goAvailable, pending: goingAvailable } : null;
  // Away, offline or not yet seen by the server: no alert of any kind.
  const alerts = useAlerts(alerting, feed.status === 'ready', isAdmin || status.kind === 'available');
  const push = usePush();
  const [settingsOpen, setSettingsOpen] = useState(false);
  // This tab's own removals (a lost race, a decline) leave a ghost in place too.
  const { applyLocal, cards: feedCards } = feed;
  const actionsFeed = useMemo(
    () => ({
      ...feed,
      applyLocal: (event: QueueEvent) => {
        if (event.kind === 'removed') {
          const card = feedCards.get(event.assignmentId);
          if (card) addGhost(card, REMOVAL_TEXT[event.reason]);
        }
        applyLocal(event);
      },
    }),
    [feed, feedCards, applyLocal, addGhost],
  );
  const { busy, run: runAction } = useQueueActions(actionsFeed);
  const run = useCallback(
    (card: AssignmentCard, what: 'accept' | 'decline' | 'complete', completion?: Completion) => {
      touched.current.add(card.assignmentId);
      return runAction(card, what, completion);
    },
    [runAction],
  );
  const queueBusy = useMemo(() => {
    const map = new Map<string, 'accept' | 'decline'>();
    for (const [id, what] of busy) if (what !== 'complete') map.set(id, what);
    return map;
  }, [busy]);
  const completing = useMemo(
    () => new Set([...busy].filter(([, what]) => what === 'complete').map(([id]) => id)),
    [busy],
  );

  const who = me.mechanic
    ? me.mechanic.kind === 'virtual_only'
      ? 'Virtual sessions'
      : (me.mechanic.workshop?.name ?? 'Workshop')
    : 'Admin: every request';

  return (
    <div className="shell">
      <header className="topbar">
        <div className="topbar__brand">
          <h1>
            {isAdmin ? 'Operations board' : 'Mechanic dashboard'}
            {alerts.unread > 0 ? <span className="unread">{alerts.unread} new</span> : null}
          </h1>
          <p className="topbar__who">
            <strong>{me.displayName}</strong> · {who}
          </p>
        </div>
        <div className="topbar__tools">
          {isMechanic ? (
            <AvailabilitySwitch mechanic={mechanic} status={status} />
          ) : (
            <ConnectionIndicator showLastEvent />
          )}
          <AlertControls alerts={alerts} />
          <button
            type="button"
            className="button button--quiet"
            aria-expanded={settingsOpen}
            onClick={() => setSettingsOpen((open) => !open)}
          >
            {push.endpoint ? 'Settings · push on' : 'Settings'}
          </button>
          <LogOutButton />
        </div>
      </header>
      <SoundBlockedBanner alerts={alerts} />
      {settingsOpen ? (
        <div className="content content--settings">
          <SettingsPanel push={push} onClose={() => setSettingsOpen(false)} />
        </div>
      ) : null}
      {isMechanic && status.kind !== 'available' ? (
        <section
          className={`banner banner--${status.kind}`}
          aria-label="Availability"
          data-state={status.kind}
        >
          <span>{status.detail}</span>
          {unblock ? (
            <button
              type="button"
              className="button button--secondary"
              onClick={unblock.run}
              disabled={unblock.pending}
            >
              Go available
            </button>
          ) : null}
        </section>
      ) : null}
      {isAdmin ? (
        <main className="content content--admin">
          <AdminBoard feed={feed} cards={everything} />
        </main>
      ) : (
        <main className="content">
          <QueueSection
            feed={feed}
            cards={queue}
            userId={me.id}
            busy={queueBusy}
            away={status.kind === 'away'}
            unseen={alerts.unseen}
            onSeen={alerts.markSeen}
            blocked={blocked}
            blockedFor={capacityReason}
            unblock={unblock}
            ghosts={ghosts}
            onAccept={(card) => void run(card, 'accept')}
            onDecline={(card) => void run(card, 'decline')}
          />
          <MySessions
            cards={mine}
            userId={me.id}
            completing={completing}
            onComplete={(card, completion) => run(card, 'complete', completion)}
          />
        </main>
      )}
    </div>
  );
}
