import { describe, expect, it } from 'vitest';
import { userPatchKinds, WriteRefusals } from '../../src/graph/writeRefusals';

describe('WriteRefusals', () => {
  it("takes a 403 as the user's when the token's roles grant every kind of write in it", () => {
    const refusals = new WriteRefusals(() => ['User.Read.All', 'User-Mail.ReadWrite.All']);
    expect(refusals.isAboutTheUser(['otherMails'])).toBe(true);
    expect(refusals.isAboutTheUser(['otherMails', 'userProperties'])).toBe(false);
  });

  it('takes a 403 as app-wide when there are no roles to read (GRAPH_AUTH=none, a token without roles)', () => {
    const refusals = new WriteRefusals(() => null);
    expect(refusals.isAboutTheUser(['userProperties'])).toBe(false);
    expect(refusals.whyAppWide(['userProperties'])).toContain('no application roles');
  });

  // A warm instance used to believe an earlier success: after the grant was removed, every
  // worker it met was settled `denied` and never retried.
  it('never takes an earlier success as proof: roles that do not grant the write make the refusal app-wide', () => {
    const refusals = new WriteRefusals(() => ['User.Read.All']);
    expect(refusals.isAboutTheUser(['otherMails'])).toBe(false);
    expect(refusals.whyAppWide(['otherMails'])).toContain('needs User-Mail.ReadWrite.All; holds User.Read.All');
  });

  it('tells otherMails from the other user properties', () => {
    expect(userPatchKinds({ otherMails: [], usageLocation: 'DE' }).sort()).toEqual(['otherMails', 'userProperties']);
    expect(userPatchKinds({ extension_0123456789abcdef0123456789abcdef_costCenter: 'x' })).toEqual(['userProperties']);
  });
});
