// Demo people for a fresh database. Runs only on an empty users table, so it is safe to repeat.

import type { Db } from './client.ts';
import type { MechanicKind, UserRole } from './generated/prisma/enums.ts';
import { hashPassword } from './password.ts';
import { formatTable } from './text-table.ts';

export const DEMO_PASSWORD = 'demo-password-1';

const SEED_LOCK_KEY = 727_073_691;

// Real streets (so the map link lands somewhere sensible), made-up businesses, and numbers from
// the 555-01xx range that is reserved for fiction.
const WORKSHOPS = [
  {
    key: 'A',
    name: 'Northside Garage',
    address: '1450 W Irving Park Rd, Chicago, IL 60613',
    phone: '+1 312 555 0142',
  },
  {
    key: 'B',
    name: 'Harbor Auto Works',
    address: '2100 S Halsted St, Chicago, IL 60608',
    phone: '+1 312 555 0187',
  },
] as const;

type WorkshopKey = (typeof WORKSHOPS)[number]['key'];

interface DemoPerson {
  email: string;
  displayName: string;
  role: UserRole;
  phone?: string;
  mechanic?: { kind: MechanicKind; workshop?: WorkshopKey };
}

const PEOPLE: DemoPerson[] = [
  { email: 'customer1@demo.test', displayName: 'Dana Reyes', role: 'customer', phone: '+1 555 0101' },
  { email: 'customer2@demo.test', displayName: 'Marcus Chen', role: 'customer', phone: '+1 555 0102' },
  {
    email: 'virtual@demo.test',
    displayName: 'Priya Natarajan',
    role: 'mechanic',
    mechanic: { kind: 'virtual_only' },
  },
  {
    email: 'a1@demo.test',
    displayName: 'Tom Becker',
    role: 'mechanic',
    mechanic: { kind: 'workshop', workshop: 'A' },
  },
  {
    email: 'a2@demo.test',
    displayName: 'Lucia Alvarez',
    role: 'mechanic',
    mechanic: { kind: 'workshop', workshop: 'A' },
  },
  {
    email: 'b1@demo.test',
    displayName: 'Sam Okafor',
    role: 'mechanic',
    mechanic: { kind: 'workshop', workshop: 'B' },
  },
  {
    email: 'b2@demo.test',
    displayName: 'Hannah Kim',
    role: 'mechanic',
    mechanic: { kind: 'workshop', workshop: 'B' },
  },
  { email: 'admin@demo.test', displayName: 'Alex Morgan', role: 'admin' },
];

export interface DemoLogin {
  email: string;
  password: string;
  role: UserRole;
  displayName: string;
  mechanicKind: MechanicKind | null;
  /** Workshop name for workshop mechanics, otherwise null. */
  workshop: string | null;
}

export interface SeedResult {
  /** False when users already existed and nothing was written. */
  created: boolean;
  logins: DemoLogin[];
}

const DEMO_LOGINS: readonly DemoLogin[] = PEOPLE.map((person) => ({
  email: person.email,
  password: DEMO_PASSWORD,
  role: person.role,
  displayName: person.displayName,
  mechanicKind: person.mechanic?.kind ?? null,
  workshop: WORKSHOPS.find((workshop) => workshop.key === person.mechanic?.workshop)?.name ?? null,
}));

export async function seed(db: Db): Promise<SeedResult> {
  const logins = [...DEMO_LOGINS];
  if ((await db.user.count()) > 0) return { created: false, logins };

  const people = await Promise.all(
    PEOPLE.map(async (person) => ({ ...person, passwordHash: await hashPassword(DEMO_PASSWORD) })),
  );
  const created = await db.$transaction(async (tx) => {
    // Two seeds racing on one database: the second waits, then sees the users.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY}::bigint)`;
    if ((await tx.user.count()) > 0) return false;

    const workshopIds = new Map<WorkshopKey, string>();
    for (const { key, name, address, phone } of WORKSHOPS) {
      const workshop = await tx.workshop.create({ data: { name, address, phone } });
      workshopIds.set(key, workshop.id);
    }
    for (const { mechanic, ...person } of people) {
      const workshopId = mechanic?.workshop ? workshopIds.get(mechanic.workshop) : undefined;
      await tx.user.create({
        data: {
          email: person.email.toLowerCase(),
          passwordHash: person.passwordHash,
          role: person.role,
          displayName: person.displayName,
          phone: person.phone ?? null,
          mechanic: mechanic
            ? { create: { kind: mechanic.kind, workshopId: workshopId ?? null, availability: 'available' } }
            : undefined,
        },
      });
    }
    return true;
  });
  return { created, logins };
}

/** The demo logins as a table for a terminal. */
export function demoLoginsTable(logins: readonly DemoLogin[]): string {
  const rows = logins.map((login) => [login.email, login.password, login.role, login.workshop ?? '-']);
  return formatTable([['email', 'password', 'role', 'workshop'], ...rows]);
}
