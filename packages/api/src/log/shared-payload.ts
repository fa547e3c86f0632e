/**
 * A payload that many subscribers receive unchanged: its JSON is computed at most once, on first
 * use, and the socket encoder (apps/server ws encoder) writes that text instead of serializing the
 * object again for every subscriber.
 */
const JSON_TEXT = Symbol('shared payload json');

export type Shared<T extends object> = T & { readonly [JSON_TEXT]: string };

export function shared<T extends object>(value: T): Shared<T> {
  let text: string | undefined;
  Object.defineProperty(value, JSON_TEXT, {
    enumerable: false,
    get: () => {
      text ??= JSON.stringify(value);
      return text;
    },
  });
  return Object.freeze(value) as Shared<T>;
}

/** The precomputed JSON of a shared payload, or undefined for any other value. */
export function sharedJson(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && JSON_TEXT in value
    ? (value as Shared<object>)[JSON_TEXT]
    : undefined;
}
