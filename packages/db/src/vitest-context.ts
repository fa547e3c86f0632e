// Values the vitest global setup hands to test workers.
declare module 'vitest' {
  export interface ProvidedContext {
    /** Maintenance URL of the run's embedded test server. */
    dispatchTestServerUrl?: string;
  }
}

export {};
