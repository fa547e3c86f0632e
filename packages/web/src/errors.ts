import { TRPCClientError } from '@trpc/client';

interface ErrorData {
  code?: string;
  zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null;
}

/** Field-level messages from a server validation error, keyed by the input path's last part (`intake.vehicleYear` → `vehicleYear`). */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const data = error.data as ErrorData | undefined;
  const fields = data?.zodError?.fieldErrors ?? {};
  const out: Record<string, string> = {};
  for (const [key, messages] of Object.entries(fields)) {
    const first = messages?.[0];
    const field = key.split('.').pop() ?? key;
    if (first && !out[field]) out[field] = first;
  }
  return out;
}

/** One sentence for the user: the server's message for known errors, a calm fallback otherwise. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as ErrorData | undefined;
    if (data?.code === 'INTERNAL_SERVER_ERROR') return 'Something went wrong on our side. Please try again.';
    if (data?.zodError) return 'Please check the highlighted fields.';
    return error.message;
  }
  if (error instanceof Error && /fetch|network/i.test(error.message)) {
    return 'Cannot reach the server. Check your connection and try again.';
  }
  return 'Something went wrong. Please try again.';
}

export function errorCode(error: unknown): string | null {
  return error instanceof TRPCClientError ? ((error.data as ErrorData | undefined)?.code ?? null) : null;
}
