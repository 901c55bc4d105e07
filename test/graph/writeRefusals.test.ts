import { describe, expect, it } from 'vitest';
import { userPatchKinds, WriteRefusals } from '../../src/graph/writeRefusals';

describe('WriteRefusals', () => {
  it("takes a 403 as the user's when the token's roles grant every kind of write in it", async () => {
    const refusals = new WriteRefusals(() => ['User.Read.All', 'User-Mail.ReadWrite.All']);
    expect(await refusals.isAboutTheUser(['otherMails'])).toBe(true);
    expect(await refusals.isAboutTheUser(['otherMails', 'userProperties'])).toBe(false);
  });

  it('takes a 403 as app-wide with no roles until a write of that kind has succeeded', async () => {
    const refusals = new WriteRefusals(() => null);
    expect(await refusals.isAboutTheUser(['userProperties'])).toBe(false);
    refusals.succeeded(['userProperties']);
    expect(await refusals.isAboutTheUser(['userProperties'])).toBe(true);
    expect(await refusals.isAboutTheUser(['authenticationEmail'])).toBe(false);
  });

  it('believes a proven write over roles that do not name the grant (a directory role, say)', async () => {
    const refusals = new WriteRefusals(() => ['User.Read.All']);
    expect(await refusals.isAboutTheUser(['otherMails'])).toBe(false);
    refusals.succeeded(['otherMails']);
    expect(await refusals.isAboutTheUser(['otherMails'])).toBe(true);
  });

  it('counts a success settled in the same turn as the refusal', async () => {
    const refusals = new WriteRefusals(() => null);
    const verdict = refusals.isAboutTheUser(['otherMails']);
    refusals.succeeded(['otherMails']);
    expect(await verdict).toBe(true);
  });

  it('tells otherMails from the other user properties', () => {
    expect(userPatchKinds({ otherMails: [], usageLocation: 'DE' }).sort()).toEqual(['otherMails', 'userProperties']);
    expect(userPatchKinds({ extension_0123456789abcdef0123456789abcdef_costCenter: 'x' })).toEqual(['userProperties']);
  });
});
