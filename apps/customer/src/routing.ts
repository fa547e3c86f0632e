import { useEffect, useState } from 'react';

/** The three places a customer can be; the URL hash keeps them across reloads and the back button. */
export type Route = { name: 'home' } | { name: 'book' } | { name: 'session'; sessionId: string };

const SESSION_HASH = /^#\/session\/([0-9a-fA-F-]{36})$/;

export function parseRoute(hash: string): Route {
  if (hash === '#/book') return { name: 'book' };
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
    case 'session':
      return `#/session/${route.sessionId}`;
  }
}

/** Goes to a route; `replace` keeps a redirect out of the back-button history. */
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
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
