import { useEffect } from 'react';

const PREFIX = /^\(\d+ new\) /;

/**
 * "(2 new) …" in front of the tab's title while the room has unread messages, so a background tab
 * says so; whatever else sets the title (the status headline, the dashboard's counts) keeps its text.
 */
export function useUnreadTitle(unread: number): void {
  useEffect(() => {
    const apply = () => {
      const base = document.title.replace(PREFIX, '');
      const next = unread > 0 ? `(${unread} new) ${base}` : base;
      if (document.title !== next) document.title = next;
    };
    apply();
    const titleElement = document.querySelector('title');
    const observer = titleElement ? new MutationObserver(apply) : null;
    if (titleElement) observer?.observe(titleElement, { childList: true });
    return () => {
      observer?.disconnect();
      document.title = document.title.replace(PREFIX, '');
    };
  }, [unread]);
}
