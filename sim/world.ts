/**
 * The simulated tenants' shared picture of the world: Workday workers and the Entra users that
 * Cloud Sync made (or has not made yet) for them. The Workday simulator renders workers as a RaaS
 * report or as SOAP Get_Workers pages; the Graph simulator serves the users.
 */

export interface SimEmail {
  address: string;
  /** Communication_Usage_Type_ID: HOME is the personal email. */
  usage: 'HOME' | 'WORK';
  primary: boolean;
}

export interface SimWorker {
  /** Worker_Data/Worker_ID. May be empty or malformed to model bad records. */
  workerId: string;
  /** From the id type of Worker_Reference: Employee_ID or Contingent_Worker_ID. */
  workerType: 'Employee' | 'Contingent_Worker';
  /** The Worker_Type_Reference descriptor, e.g. Regular, Temporary, Contractor. */
  employeeType: string;
  /** The COMPANY organisation's name. */
  legalEntity: string | null;
  emails: SimEmail[];
  /** ISO 3166-1 alpha-2 of the primary job's business site (may be invalid to model bad data). */
  businessSiteCountry: string | null;
  homeCountry: string | null;
  active: boolean;
  /** When the worker last changed in Workday (Transaction_Log filtering). */
  updatedAt: Date;
}

export interface SimUserSeed {
  employeeId: string | null;
  displayName: string;
  userPrincipalName: string;
  /** true for users Cloud Sync made; null for cloud-only users. */
  onPremisesSyncEnabled: boolean | null;
  otherMails?: string[];
  usageLocation?: string | null;
  /** Holds an active Global Administrator assignment: Graph answers 403 when otherMails is written. */
  privileged?: boolean;
  /** PIM-eligible for Global Administrator, not active: Graph accepts every write for them. */
  eligibleAdmin?: boolean;
  /** Soft-deleted (in /directory/deletedItems). */
  deleted?: boolean;
}

export interface SimWorld {
  workers: SimWorker[];
  /** Users that exist in Entra at the start. */
  users: SimUserSeed[];
  /** Users Cloud Sync will create later (new hires whose AD account is not synced yet). */
  pendingUsers: SimUserSeed[];
}

/** Primary HOME email, else the first HOME one, else null (docs/design.md "Facts the code must respect", Workday). */
export function personalEmailOf(worker: SimWorker): string | null {
  const home = worker.emails.filter((email) => email.usage === 'HOME');
  return (home.find((email) => email.primary) ?? home[0])?.address ?? null;
}

/** Deterministic pseudo-random numbers (mulberry32), so a seed always builds the same world. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'ana',
  'ben',
  'chloe',
  'dev',
  'emma',
  'farid',
  'greta',
  'hiro',
  'ines',
  'jonas',
  'kofi',
  'lena',
  'mateo',
  'nora',
  'omar',
  'priya',
];
const LAST = [
  'alvarez',
  'brown',
  'chen',
  'dubois',
  'eriksen',
  'fischer',
  'garcia',
  'haddad',
  'ito',
  'jensen',
  'kowalski',
  'lopez',
  'muller',
  'nakamura',
  'obrien',
  'patel',
];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'IN', 'JP', 'CA', 'AU', 'BR'];
const MAILBOXES = ['example.com', 'example.net', 'example.org'];
export const HYBRID_ENTITIES = ['Contoso Corp', 'Contoso LLC'];
export const OTHER_ENTITY = 'Fabrikam Holdings';
export const CORPORATE_DOMAIN = 'contoso.com';

export interface WorldOptions {
  seed?: number;
  /** Number of workers (the demo uses a few hundred; benchmarks up to 100k). */
  size?: number;
  /** The moment the world is built at (workers' updatedAt spread over the 30 days before). */
  now?: Date;
}

type Kind =
  | 'synced'
  | 'preset'
  | 'newHire'
  | 'contractor'
  | 'otherEntity'
  | 'badRecord'
  | 'privileged'
  | 'softDeleted'
  | 'duplicateUser'
  | 'notSynced'
  | 'sharedEmail'
  | 'corporateEmail';

/** Mix of worker kinds (weights out of 1000) in a generated world. */
const MIX: Array<[Kind, number]> = [
  ['synced', 560],
  ['preset', 150],
  ['newHire', 80],
  ['contractor', 80],
  ['otherEntity', 50],
  ['badRecord', 30],
  ['privileged', 10],
  ['softDeleted', 10],
  ['duplicateUser', 10],
  ['notSynced', 8],
  ['sharedEmail', 6],
  ['corporateEmail', 6],
];

/**
 * A realistic tenant: hybrid employees (most with users waiting for otherMails, some already
 * correct), new hires whose users Cloud Sync has not created yet, cloud-only contractors,
 * an out-of-scope legal entity, bad records, and the hard cases of the safety rules.
 */
export function buildWorld(options: WorldOptions = {}): SimWorld {
  const random = seededRandom(options.seed ?? 42);
  const size = options.size ?? 300;
  const now = options.now ?? new Date();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const world: SimWorld = { workers: [], users: [], pendingUsers: [] };
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  let sharedEmail: string | null = null;

  for (let index = 0; index < size; index++) {
    const roll = random() * total;
    let acc = 0;
    const kind = (MIX.find(([, weight]) => {
      acc += weight;
      return acc > roll;
    }) ?? MIX[0]!)[0];
    const first = pick(FIRST);
    const last = pick(LAST);
    const isContractor = kind === 'contractor';
    const workerId = isContractor ? `C${String(500000 + index)}` : String(100000 + index);
    const country = pick(COUNTRIES);
    let personal = `${first}.${last}${index}@${pick(MAILBOXES)}`;
    if (kind === 'sharedEmail') personal = sharedEmail ??= `family.${last}@${pick(MAILBOXES)}`;
    if (kind === 'corporateEmail') personal = `${first}.${last}@${CORPORATE_DOMAIN}`;
    const worker: SimWorker = {
      workerId,
      workerType: isContractor ? 'Contingent_Worker' : 'Employee',
      employeeType: isContractor ? 'Contractor' : 'Regular',
      legalEntity: kind === 'otherEntity' ? OTHER_ENTITY : pick(HYBRID_ENTITIES),
      emails: [
        { address: `${first}.${last}${index}@${CORPORATE_DOMAIN}`, usage: 'WORK', primary: true },
        { address: personal, usage: 'HOME', primary: true },
      ],
      businessSiteCountry: country,
      homeCountry: country,
      active: true,
      updatedAt: new Date(now.getTime() - Math.floor(random() * 30 * 24 * 3600_000)),
    };
    if (kind === 'badRecord') spoil(worker, index);
    world.workers.push(worker);

    const user: SimUserSeed = {
      employeeId: workerId,
      displayName: `${first} ${last}`,
      userPrincipalName: `${first}.${last}${index}@${CORPORATE_DOMAIN}`,
      onPremisesSyncEnabled: true,
      otherMails: [],
      usageLocation: null,
    };
    switch (kind) {
      case 'preset':
        world.users.push({ ...user, otherMails: [personal], usageLocation: country });
        break;
      case 'newHire':
        world.pendingUsers.push(user);
        break;
      case 'contractor':
        world.users.push({ ...user, onPremisesSyncEnabled: null });
        break;
      case 'privileged':
        world.users.push({ ...user, privileged: true });
        break;
      case 'softDeleted':
        world.users.push({ ...user, deleted: true });
        break;
      case 'duplicateUser':
        world.users.push(user, { ...user, userPrincipalName: `dup.${user.userPrincipalName}` });
        break;
      case 'notSynced':
        world.users.push({ ...user, onPremisesSyncEnabled: null });
        break;
      case 'badRecord':
        break;
      default:
        world.users.push(user);
    }
  }
  return world;
}

/** The bad data Workday tenants really hold: each becomes a `rejected` outcome. */
function spoil(worker: SimWorker, index: number): void {
  const home = worker.emails.find((email) => email.usage === 'HOME')!;
  switch (index % 5) {
    case 0:
      worker.workerId = '';
      break;
    case 1:
      home.address = 'not-an-email';
      break;
    case 2:
      worker.businessSiteCountry = 'XX';
      worker.homeCountry = 'XX';
      break;
    case 3:
      home.address = `jos\u00e9.${index}@example.com`;
      break;
    default:
      worker.workerId = `W${'9'.repeat(20)}${index}`;
  }
}
