import { MAX_RECEIPTS_PER_REPORT } from '@dispatch/domain';
import { useTRPCClient } from '@dispatch/web';
import { useEffect, useRef } from 'react';
import type { AssignmentCard } from '../api-types.ts';
import { noteReceipt, takeReceipts } from './outbox.ts';

const REPORT_EVERY_MS = 1_000;

/**
 * Delivery receipts from this page: each card in `shown` counts as on screen once it is rendered
 * while the page is visible (or when the page becomes visible with it), and everything noted
 * (on screen, the in-page announcement, a desktop notification, a beep) is reported in one
 * `receipts.report` call about once a second. Reporting never gets in the way: a failed report is
 * retried with the next one, and nothing waits for it.
 */
export function useDisplayReceipts(shown: readonly AssignmentCard[]): void {
  const client = useTRPCClient();
  const current = useRef(shown);
  current.current = shown;

  useEffect(() => {
    if (document.visibilityState !== 'visible') return;
    for (const card of shown) noteReceipt(card, 'shown');
  }, [shown]);

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      for (const card of current.current) noteReceipt(card, 'shown');
    };
    document.addEventListener('visibilitychange', onVisible);
    let sending = false;
    const timer = setInterval(() => {
      if (sending) return;
      const { items, putBack } = takeReceipts(MAX_RECEIPTS_PER_REPORT);
      if (items.length === 0) return;
      sending = true;
      client.receipts.report
        .mutate({ items })
        .catch(putBack)
        .finally(() => {
          sending = false;
        });
    }, REPORT_EVERY_MS);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      clearInterval(timer);
    };
  }, [client]);
}
