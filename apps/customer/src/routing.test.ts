import { expect, it } from 'vitest';
import { hrefFor, parseRoute } from './routing.ts';

it('reads and writes the three routes', () => {
  const id = '00f74bae-90c2-4f9f-af98-19140a4f4381';
  expect(parseRoute('')).toEqual({ name: 'home' });
  expect(parseRoute('#/book')).toEqual({ name: 'book' });
  expect(parseRoute(`#/session/${id}`)).toEqual({ name: 'session', sessionId: id });
  expect(parseRoute('#/session/not-an-id')).toEqual({ name: 'home' });
  expect(hrefFor({ name: 'session', sessionId: id })).toBe(`#/session/${id}`);
});
