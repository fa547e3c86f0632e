import type { DbTransaction } from '@dispatch/db';
import {
  callbackPhoneShown,
  canView,
  type DispatchMode,
  type Findings,
  mapLinkFor,
  ratingRefusal,
  type SessionOutcome,
  type Viewer,
  visitDetailsShown,
} from '@dispatch/domain';
import type { AssignmentRow } from './rows.ts';

/** A finished (or running) session as both sides reopen it: how it ended, by whom, when, the rating. */
export async function sessionSummary(db: DbTransaction, row: AssignmentRow, viewer: Viewer) {
  const { session } = row;
  const rating = await db.sessionRating.findUnique({
    where: { sessionId: row.sessionId },
    select: { stars: true, comment: true, createdAt: true },
  });
  const completed = row.status === 'completed';
  const taken = completed || row.status === 'accepted' || (row.status === 'cancelled' && row.acceptedAt);
  const findings: Findings | null =
    completed && session.findingsChecked !== null
      ? {
          checked: session.findingsChecked,
          suspectedCause: session.findingsCause ?? '',
          advice: session.findingsAdvice ?? '',
        }
      : null;
  const isCustomer = viewer.role === 'customer' && viewer.userId === session.customerId;
  return {
    sessionId: row.sessionId,
    assignmentId: row.id,
    status: row.status,
    sessionType: session.type,
    vehicle: { year: session.vehicleYear, make: session.vehicleMake, model: session.vehicleModel },
    mechanicName: taken ? (row.mechanic?.user.displayName ?? null) : null,
    createdAt: row.createdAt.toISOString(),
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    outcome: completed ? (session.outcome as SessionOutcome | null) : null,
    note: completed ? session.outcomeNote : null,
    findings,
    rating: rating
      ? { stars: rating.stars, comment: rating.comment, ratedAt: rating.createdAt.toISOString() }
      : null,
    canRate: isCustomer && ratingRefusal(row.status, rating !== null) === null,
  };
}

/**
 * Whom to call and where to go. The customer of an in-person visit gets the workshop of the mechanic
 * who accepted it (address, phone, map link) from accept on; the customer's callback phone goes to
 * that mechanic and to admins only, from accept on. Everyone else who may see the session gets nulls.
 */
export async function sessionContacts(db: DbTransaction, row: AssignmentRow, viewer: Viewer) {
  const visit = visitDetailsShown(row.session.type, row.status) ? await visitOf(db, row) : null;
  const phoneShown = callbackPhoneShown(viewer, row);
  const callbackPhone = phoneShown
    ? ((await db.helpSession.findUnique({ where: { id: row.sessionId }, select: { callbackPhone: true } }))
        ?.callbackPhone ?? null)
    : null;
  return { visit, callbackPhone };
}

async function visitOf(db: DbTransaction, row: AssignmentRow) {
  // The accepting mechanic's workshop: for an "any workshop" request it is only known now.
  const mechanic = row.mechanicId
    ? await db.mechanic.findUnique({
        where: { userId: row.mechanicId },
        select: { workshop: { select: { name: true, address: true, phone: true } } },
      })
    : null;
  const workshop =
    mechanic?.workshop ??
    (row.session.workshopId
      ? await db.workshop.findUnique({
          where: { id: row.session.workshopId },
          select: { name: true, address: true, phone: true },
        })
      : null);
  if (!workshop) return null;
  return {
    workshopName: workshop.name,
    address: workshop.address,
    phone: workshop.phone,
    mapUrl: mapLinkFor(workshop.address),
  };
}

/** A mechanic's completed sessions, newest first, with outcome and rating; and their average. */
export async function finishedSessions(
  db: DbTransaction,
  viewer: Extract<Viewer, { role: 'mechanic' }>,
  mode: DispatchMode,
  limit = 20,
) {
  const rows = await db.sessionAssignment.findMany({
    where: { mechanicId: viewer.userId, status: 'completed' },
    orderBy: [{ completedAt: 'desc' }, { id: 'asc' }],
    take: limit,
    select: {
      id: true,
      sessionId: true,
      status: true,
      mechanicId: true,
      completedAt: true,
      session: {
        select: {
          customerId: true,
          type: true,
          workshopId: true,
          vehicleYear: true,
          vehicleMake: true,
          vehicleModel: true,
          outcome: true,
          rating: { select: { stars: true, comment: true } },
        },
      },
    },
  });
  const ratings = await db.sessionRating.aggregate({
    where: { mechanicId: viewer.userId },
    _avg: { stars: true },
    _count: { stars: true },
  });
  const visible = rows.filter((r) =>
    canView(
      viewer,
      {
        status: r.status,
        customerId: r.session.customerId,
        mechanicId: r.mechanicId,
        sessionType: r.session.type,
        workshopId: r.session.workshopId,
      },
      mode,
    ),
  );
  return {
    sessions: visible.map((r) => ({
      sessionId: r.sessionId,
      assignmentId: r.id,
      sessionType: r.session.type,
      vehicle: { year: r.session.vehicleYear, make: r.session.vehicleMake, model: r.session.vehicleModel },
      completedAt: r.completedAt?.toISOString() ?? null,
      outcome: r.session.outcome as SessionOutcome | null,
      rating: r.session.rating ? { stars: r.session.rating.stars, comment: r.session.rating.comment } : null,
    })),
    average: ratings._avg.stars === null ? null : Math.round(ratings._avg.stars * 10) / 10,
    ratedCount: ratings._count.stars,
  };
}
