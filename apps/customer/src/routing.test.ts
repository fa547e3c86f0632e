import { expect, it } from 'vitest';
import { hrefFor, parseRoute, type Route } from './routing.ts';

it('reads and writes every route, and an unknown hash is home', () => {
  const id = '00f74bae-90c2-4f9f-af98-19140a4f4381';
  const routes: Route[] = [
    { name: 'home' },
    { name: 'book' },
    { name: 'log-in' },
    { name: 'sign-up' },
    { name: 'session', sessionId: id },
  ];
  for (const route of routes) expect(parseRoute(hrefFor(route))).toEqual(route);
  expect(parseRoute('')).toEqual({ name: 'home' });
  expect(parseRoute('#/session/not-an-id')).toEqual({ name: 'home' });
});
