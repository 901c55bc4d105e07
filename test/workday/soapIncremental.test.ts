import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/core/ports';
import { AS_OF, readAll, useSoapSimulator, worker } from './soapFixture';

describe('createSoapSource: incremental reads', () => {
  const { tenant, sent, source } = useSoapSimulator();

  it('reads only the workers changed since updatedFrom on an incremental read', async () => {
    tenant.workers[2]!.updatedAt = new Date('2026-11-26T10:00:00Z');
    tenant.workers[5]!.updatedAt = new Date('2026-11-26T21:59:59Z');
    const records = await readAll(source(), { asOf: AS_OF, updatedFrom: new Date('2026-11-26T00:00:00Z') });
    expect(records.map((record) => record.WorkerID)).toEqual(['100003', '100006']);
    expect(tenant.requests[0]?.summary).toContain('updated=2026-11-26T00:00:00.000Z..2026-11-26T22:00:00.000Z');
  });

  /**
   * Microsoft Learn, "How Microsoft Entra provisioning integrates with Workday", section "How
   * incremental sync works": three delta queries, for manual updates (Updated_From/Through), for
   * effective-dated updates and terminations (Effective_From/Effective_Through in
   * Transaction_Date_Range_Data), and for future-dated hires (by WID, As_Of_Effective_Date and
   * As_Of_Entry_DateTime set to the hire date); As_Of_Effective_Date is sent as a full timestamp.
   */
  describe('incremental reads of effective-dated changes', () => {
    const at = (iso: string): Date => new Date(iso);
    const ids = (records: RawRecord[]): unknown[] => records.map((record) => record.WorkerID);

    it('picks up a transfer entered in advance when it becomes effective, though nothing new was logged', async () => {
      tenant.changes.push({
        workerId: '100002',
        enteredAt: at('2026-11-10T09:00:00Z'),
        effectiveAt: at('2026-11-26T12:00:00Z'),
        set: { businessSiteCountry: 'DE', legalEntity: 'Contoso LLC' },
      });
      const before = await readAll(source(), {
        asOf: at('2026-11-25T22:00:00Z'),
        updatedFrom: at('2026-11-25T00:00:00Z'),
      });
      expect(ids(before)).toEqual([]);

      const records = await readAll(source(), { asOf: AS_OF, updatedFrom: at('2026-11-26T00:00:00Z') });
      expect(records).toEqual([
        expect.objectContaining({ WorkerID: '100002', CountryISO: 'DE', Legal_Entity: 'Contoso LLC' }),
      ]);
      expect(
        sent.some((body) =>
          body.includes(
            '<bsvc:Effective_From>2026-11-26T00:00:00.000+00:00</bsvc:Effective_From><bsvc:Effective_Through>2026-11-26T22:00:00.000+00:00</bsvc:Effective_Through>',
          ),
        ),
      ).toBe(true);
    });

    it('picks up a termination entered in advance on its effective day', async () => {
      tenant.changes.push({
        workerId: '100005',
        enteredAt: at('2026-11-01T09:00:00Z'),
        effectiveAt: at('2026-11-26T00:00:00Z'),
        set: { active: false },
      });
      const records = await readAll(source(), { asOf: AS_OF, updatedFrom: at('2026-11-25T22:00:00Z') });
      expect(records).toEqual([expect.objectContaining({ WorkerID: '100005', Active: '0' })]);
    });

    it('delivers a worker found by both windows once', async () => {
      tenant.workers[3]!.updatedAt = at('2026-11-26T10:00:00Z');
      tenant.changes.push({
        workerId: '100004',
        enteredAt: at('2026-11-26T10:00:00Z'),
        effectiveAt: at('2026-11-26T11:00:00Z'),
        set: { businessSiteCountry: 'FR' },
      });
      const records = await readAll(source(), { asOf: AS_OF, updatedFrom: at('2026-11-26T00:00:00Z') });
      expect(records).toEqual([expect.objectContaining({ WorkerID: '100004', CountryISO: 'FR' })]);
    });

    describe('a future-dated hire', () => {
      const hire = (): void => {
        tenant.workers.push(worker('100008', { updatedAt: at('2026-11-20T10:00:00Z'), businessSiteCountry: 'NL' }));
        tenant.changes.push({
          workerId: '100008',
          enteredAt: at('2026-11-20T10:00:00Z'),
          effectiveAt: at('2026-12-01T00:00:00Z'),
          set: {},
          hire: true,
        });
      };

      it('is read as of its hire date, by WID, when the hire is entered', async () => {
        hire();
        const records = await readAll(source(), {
          asOf: at('2026-11-20T22:00:00Z'),
          updatedFrom: at('2026-11-20T00:00:00Z'),
        });
        expect(records).toEqual([expect.objectContaining({ WorkerID: '100008', CountryISO: 'NL', Active: '1' })]);
        expect(tenant.requests.at(-1)?.summary).toMatch(
          /asOfEffective=2026-12-01T00:00:00\.000\+00:00 refs=WID:[0-9a-f]{32}$/,
        );
      });

      it('is picked up on its hire date, though nothing new was logged', async () => {
        hire();
        expect(ids(await readAll(source(), { asOf: at('2026-11-28T22:00:00Z') }))).not.toContain('100008');
        const records = await readAll(source(), {
          asOf: at('2026-12-01T00:30:00Z'),
          updatedFrom: at('2026-11-30T23:30:00Z'),
        });
        expect(records).toEqual([expect.objectContaining({ WorkerID: '100008', Active: '1' })]);
      });
    });
  });
});
