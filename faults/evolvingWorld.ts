/**
 * The simulated world of the suite, changed between rounds the way a Workday tenant changes:
 * personal emails corrected, countries changed, new hires whose users Cloud Sync creates later,
 * workers leaving the hybrid scope. The Workday simulator serves the same worker objects, so a
 * change here is what the next read sees.
 */
import type { GraphSimulator } from '../sim/graph';
import {
  buildWorld,
  HYBRID_ENTITIES,
  OTHER_ENTITY,
  personalEmailOf,
  type SimUserSeed,
  type SimWorker,
  type SimWorld,
} from '../sim/world';

const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'IN', 'JP', 'CA', 'AU', 'BR'];

export interface RoundChanges {
  emails: number;
  countries: number;
  leftScope: number;
  usersAppeared: number;
}

export class EvolvingWorld {
  readonly world: SimWorld;
  private readonly waitingUsers: SimUserSeed[];

  constructor(size: number, seed: number) {
    this.world = buildWorld({ size, seed });
    this.waitingUsers = [...this.world.pendingUsers];
  }

  /** Changes a few per cent of the hybrid workers and lets some waiting users appear in Entra. */
  change(random: () => number, round: number, graph: GraphSimulator): RoundChanges {
    const now = new Date();
    const hybrid = this.world.workers.filter((w) => isHybrid(w) && hasPlainEmail(w));
    const sample = (share: number): SimWorker[] => hybrid.filter(() => random() < share);
    const changes: RoundChanges = { emails: 0, countries: 0, leftScope: 0, usersAppeared: 0 };
    for (const worker of sample(0.03)) {
      const home = worker.emails.find((e) => e.usage === 'HOME' && e.primary)!;
      const [local, domain] = home.address.split('@') as [string, string];
      home.address = `${local.replace(/\.r\d+$/, '')}.r${round}@${domain}`;
      worker.updatedAt = now;
      changes.emails += 1;
    }
    for (const worker of sample(0.015)) {
      const country = COUNTRIES[Math.floor(random() * COUNTRIES.length)]!;
      if (country === worker.businessSiteCountry) continue;
      worker.businessSiteCountry = country;
      worker.homeCountry = country;
      worker.updatedAt = now;
      changes.countries += 1;
    }
    for (const worker of sample(0.005)) {
      worker.legalEntity = OTHER_ENTITY;
      worker.updatedAt = now;
      changes.leftScope += 1;
    }
    const appearing = this.waitingUsers.filter(() => random() < 0.3);
    for (const seed of appearing) {
      graph.addUser(seed);
      this.waitingUsers.splice(this.waitingUsers.indexOf(seed), 1);
      changes.usersAppeared += 1;
    }
    return changes;
  }

  /**
   * The data changes again before the next run: the workers changed since `since` get another
   * email, so jobs planned for their previous one are superseded.
   */
  changeAgain(round: number, since: Date): number {
    let changed = 0;
    for (const worker of this.world.workers) {
      if (worker.updatedAt < since || !isHybrid(worker) || !hasPlainEmail(worker)) continue;
      const home = worker.emails.find((e) => e.usage === 'HOME' && e.primary)!;
      const [local, domain] = home.address.split('@') as [string, string];
      home.address = `${local.replace(/\.r\d+b?$/, '')}.r${round}b@${domain}`;
      worker.updatedAt = new Date();
      changed += 1;
    }
    return changed;
  }

  /** The values each worker holds right now, by lower-cased id: what a write may carry. */
  snapshot(): Map<string, WorkerValues> {
    const values = new Map<string, WorkerValues>();
    for (const worker of this.world.workers) {
      values.set(worker.workerId.toLowerCase(), {
        email: personalEmailOf(worker),
        country: worker.businessSiteCountry,
        inScope: isHybrid(worker),
      });
    }
    return values;
  }
}

export interface WorkerValues {
  email: string | null;
  country: string | null;
  inScope: boolean;
}

export function isHybrid(worker: SimWorker): boolean {
  return (
    worker.workerType === 'Employee' && worker.legalEntity !== null && HYBRID_ENTITIES.includes(worker.legalEntity)
  );
}

function hasPlainEmail(worker: SimWorker): boolean {
  const email = personalEmailOf(worker);
  return (
    worker.workerId !== '' &&
    worker.workerId.length <= 16 &&
    email !== null &&
    /^[a-z0-9.]+@example\.(com|net|org)$/.test(email)
  );
}
