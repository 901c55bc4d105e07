/**
 * The simulated tenant's users: active and soft-deleted, indexed by employeeId the way Graph
 * compares it (case-insensitively), plus the properties the simulator does not model but a
 * PATCH may still write (kept so a later read shows them).
 */
import type { SimUserSeed } from '../world';
import { RoleDirectory } from './roleDirectory';
import type { SimUser } from './types';

export class TenantDirectory {
  private readonly users = new Map<string, SimUser>();
  private readonly extras = new Map<string, Record<string, unknown>>();
  /** Lower-cased employeeId → ids of ACTIVE users holding it. */
  private readonly byEmployeeId = new Map<string, Set<string>>();
  private readonly order = new Map<string, number>();
  private sequence = 0;
  /** Who holds a directory role, actively or as PIM-eligible, directly or through a group. */
  readonly roles = new RoleDirectory();

  constructor(private readonly clock: () => number) {}

  add(seed: SimUserSeed & { id?: string }): SimUser {
    const id = seed.id ?? this.newId();
    if (this.users.has(id)) throw new Error(`The simulated tenant already has a user with id ${id}.`);
    const user: SimUser = {
      id,
      employeeId: seed.employeeId,
      displayName: seed.displayName,
      userPrincipalName: seed.userPrincipalName,
      onPremisesSyncEnabled: seed.onPremisesSyncEnabled,
      otherMails: [...(seed.otherMails ?? [])],
      usageLocation: seed.usageLocation ?? null,
      privileged: seed.privileged ?? false,
      deletedDateTime: seed.deleted ? this.nowIso() : null,
      extensions: {},
      emailMethod: null,
    };
    this.users.set(id, user);
    this.extras.set(id, {});
    this.order.set(id, this.sequence++);
    if (!user.deletedDateTime) this.index(user);
    if (user.privileged) this.roles.grant(id, 'active');
    if (seed.eligibleAdmin) this.roles.grant(id, 'eligible');
    return user;
  }

  get(id: string): SimUser | undefined {
    return this.users.get(id);
  }

  /** Graph addresses a user by id or by userPrincipalName. */
  findActive(idOrUpn: string): SimUser | undefined {
    const byId = this.users.get(idOrUpn);
    if (byId) return byId.deletedDateTime ? undefined : byId;
    const upn = idOrUpn.toLowerCase();
    return this.active().find((user) => user.userPrincipalName.toLowerCase() === upn);
  }

  findDeleted(id: string): SimUser | undefined {
    const user = this.users.get(id);
    return user?.deletedDateTime ? user : undefined;
  }

  extraOf(user: SimUser): Record<string, unknown> {
    return this.extras.get(user.id) ?? {};
  }

  all(): SimUser[] {
    return [...this.users.values()];
  }

  active(): SimUser[] {
    return this.all().filter((user) => !user.deletedDateTime);
  }

  deleted(): SimUser[] {
    return this.all().filter((user) => user.deletedDateTime);
  }

  /** Active users whose employeeId is any of the values, in creation order. */
  activeByEmployeeIds(values: readonly string[]): SimUser[] {
    const ids = new Set<string>();
    for (const value of values) for (const id of this.byEmployeeId.get(value.toLowerCase()) ?? []) ids.add(id);
    return [...ids].sort((a, b) => this.order.get(a)! - this.order.get(b)!).map((id) => this.users.get(id)!);
  }

  setEmployeeId(user: SimUser, employeeId: string | null): void {
    this.unindex(user);
    user.employeeId = employeeId;
    if (!user.deletedDateTime) this.index(user);
  }

  softDelete(user: SimUser): void {
    if (user.deletedDateTime) return;
    this.unindex(user);
    user.deletedDateTime = this.nowIso();
  }

  restore(user: SimUser): void {
    user.deletedDateTime = null;
    this.index(user);
  }

  purge(user: SimUser): void {
    this.unindex(user);
    this.users.delete(user.id);
    this.extras.delete(user.id);
    this.order.delete(user.id);
  }

  private index(user: SimUser): void {
    if (user.employeeId === null) return;
    const key = user.employeeId.toLowerCase();
    const ids = this.byEmployeeId.get(key) ?? new Set<string>();
    ids.add(user.id);
    this.byEmployeeId.set(key, ids);
  }

  private unindex(user: SimUser): void {
    if (user.employeeId === null) return;
    this.byEmployeeId.get(user.employeeId.toLowerCase())?.delete(user.id);
  }

  private nowIso(): string {
    return new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** GUID-shaped and deterministic, so a seeded world gets the same ids on every run. */
  private newId(): string {
    let n = this.sequence + 1;
    let id: string;
    do {
      const hex = n.toString(16).padStart(12, '0');
      id = `5e0a${hex.slice(0, 4)}-0000-4000-8000-${hex}`;
      n += 1;
    } while (this.users.has(id));
    return id;
  }
}
