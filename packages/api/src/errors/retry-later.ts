/** The cause of a TOO_MANY_REQUESTS or SERVICE_UNAVAILABLE error: when to try again. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The retry hint carried by an error's cause, if any. */
export function retryAfterMsOf(error: { cause?: unknown }): number | null {
  return error.cause instanceof RetryLater ? error.cause.retryAfterMs : null;
}
