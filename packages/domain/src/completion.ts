// How a session ends and what the customer thinks of it: the mechanic's outcome, note and (for a
// diagnostic session) structured findings, and the customer's one rating. Pure rules and schemas;
// the server enforces them in the complete and rate commands, the apps use them to show the form.
import { z } from 'zod';
import { text } from './schemas.ts';
import type { AssignmentStatus, SessionType } from './statuses.ts';
import type { RefusalCode } from './transitions.ts';

/** How the help ended. Mirrors the Prisma `SessionOutcome` enum (a db test proves the migrations agree). */
export const SESSION_OUTCOMES = ['resolved', 'needs_workshop', 'could_not_help'] as const;
export type SessionOutcome = (typeof SESSION_OUTCOMES)[number];

/** How each outcome is named to people, in both apps. */
export const OUTCOME_LABELS: Record<SessionOutcome, string> = {
  resolved: 'Resolved',
  needs_workshop: 'Needs a workshop visit',
  could_not_help: 'Could not help',
};

export const COMPLETION_NOTE_MAX = 1000;
export const FINDING_MAX = 1000;
export const RATING_COMMENT_MAX = 500;

/** A diagnostic session's findings: what was checked, what is the likely cause, what to do next. */
export const findingsSchema = z.object({
  checked: text('What was checked', 3, FINDING_MAX, { multiline: true }),
  suspectedCause: text('Suspected cause', 3, FINDING_MAX, { multiline: true }),
  advice: text('Advice', 3, FINDING_MAX, { multiline: true }),
});
export type Findings = z.output<typeof findingsSchema>;

/** What the mechanic records when completing. Findings only (and always) for diagnostic sessions. */
export const completionSchema = z.object({
  outcome: z.enum(SESSION_OUTCOMES, { error: 'Choose how the session ended' }),
  note: text('Note for the customer', 3, COMPLETION_NOTE_MAX, { multiline: true }),
  findings: findingsSchema.nullable().default(null),
});
export type Completion = z.output<typeof completionSchema>;
export type CompletionInput = z.input<typeof completionSchema>;

/**
 * Whether this completion fits the session: a diagnostic session must carry its findings, any
 * other must not. Null when it fits; otherwise the field and a sentence for it.
 */
export function completionProblem(
  sessionType: SessionType,
  completion: Pick<Completion, 'findings'>,
): { field: 'findings'; message: string } | null {
  if (sessionType === 'diagnostic' && completion.findings === null) {
    return {
      field: 'findings',
      message:
        'A diagnostic session needs its findings: what was checked, the suspected cause and your advice.',
    };
  }
  if (sessionType !== 'diagnostic' && completion.findings !== null) {
    return { field: 'findings', message: 'Findings are recorded for diagnostic sessions only.' };
  }
  return null;
}

/** One rating per session, by its customer, after completion: 1 to 5 stars and an optional comment. */
export const ratingSchema = z.object({
  stars: z
    .number({ error: 'Choose 1 to 5 stars' })
    .int('Choose 1 to 5 stars')
    .min(1, 'Choose 1 to 5 stars')
    .max(5, 'Choose 1 to 5 stars'),
  comment: z
    .preprocess(
      (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
      text('Comment', 1, RATING_COMMENT_MAX, { multiline: true }).nullable(),
    )
    .optional()
    .transform((value) => value ?? null),
});
export type Rating = z.output<typeof ratingSchema>;

type RatingRefusal = Extract<RefusalCode, 'not_completed' | 'already_rated'>;

/** Whether the session's customer may rate it now; null when they may. */
export function ratingRefusal(
  status: AssignmentStatus,
  alreadyRated: boolean,
): { code: RatingRefusal; message: string } | null {
  if (status !== 'completed') {
    return { code: 'not_completed', message: 'You can rate a session once it is completed.' };
  }
  if (alreadyRated) return { code: 'already_rated', message: 'You have already rated this session.' };
  return null;
}

/**
 * A map search for an address, with no API key: the customer's phone opens it in a browser or
 * the OpenStreetMap app.
 */
export function mapLinkFor(address: string): string {
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(address)}`;
}

/**
 * When the customer sees where to go and whom to call for an in-person visit: once a mechanic has
 * accepted it (only then is the workshop known for an "any workshop" request), and afterwards.
 */
export function visitDetailsShown(sessionType: SessionType, status: AssignmentStatus): boolean {
  return sessionType === 'in_person' && (status === 'accepted' || status === 'completed');
}

/**
 * Who is told the customer's callback phone: the session's own mechanic while it is theirs
 * (accepted or completed by them) and admins; never the customer's other viewers, never before accept.
 */
export function callbackPhoneShown(
  viewer: { role: 'customer' | 'mechanic' | 'admin'; userId: string },
  assignment: { status: AssignmentStatus; mechanicId: string | null },
): boolean {
  if (viewer.role === 'admin') return true;
  if (viewer.role !== 'mechanic') return false;
  const theirs = assignment.status === 'accepted' || assignment.status === 'completed';
  return theirs && assignment.mechanicId === viewer.userId;
}
