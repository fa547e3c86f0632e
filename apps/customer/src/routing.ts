import { useEffect, useState } from 'react';

/**
 * Every place in the app has its own URL (hash), so Back and Forward move between real pages and a
 * reload stays where it was. `home` is the landing page when signed out, "My requests" when signed in.
 */
export type Route =
  | { name: 'home' }
  | { name: 'book' }
  | { name: 'log-in' }
  | { name: 'sign-up' }
  | { name: 'session'; sessionId: string };

const SESSION_HASH = /^#\/session\/([0-9a-fA-F-]{36})$/;

export function parseRoute(hash: string): Route {
  if (hash === '#/book') return { name: 'book' };
  if (hash === '#/log-in') return { name: 'log-in' };
  if (hash === '#/sign-up') return { name: 'sign-up' };
  const match = SESSION_HASH.exec(hash);
  if (match?.[1]) return { name: 'session', sessionId: match[1] };
  return { name: 'home' };
}

export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'book':
      return '#/book';
    case 'log-in':
      return '#/log-in';
    case 'sign-up':
      return '#/sign-up';
    case 'session':
      return `#/session/${route.sessionId}`;
  }
}

/**
 * Goes to a route. `replace` swaps the current history entry instead of adding one: for redirects,
 * and after booking, so Back from the new request never lands on the form that booked it.
 */
export function navigate(route: Route, { replace = false } = {}): void {
  const href = hrefFor(route);
  if (window.location.hash === href) return;
  if (replace) {
    window.history.replaceState(null, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    window.addEventListener('popstate', update);
    return () => {
      window.removeEventListener('hashchange', update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}
