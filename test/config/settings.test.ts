import { describe, expect, it } from 'vitest';
import { isLoopbackUrl, loadSettings, SETTING_NAMES } from '../../src/config/settings';
import { isAppError } from '../../src/core/errors';

const LOCAL = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
const IDENTITY = {
  AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net',
  AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net',
  AzureWebJobsStorage__credential: 'managedidentity',
  EMAIL_HASH_KEY: 'k'.repeat(48),
};

/** The problem lines of refused settings (after the first line). */
function problems(env: Record<string, string>): string[] {
  try {
    loadSettings(env);
  } catch (err) {
    if (!isAppError(err)) throw err;
    expect(err.code).toBe('CONFIG.INVALID_SETTING');
    expect(err.isConfiguration).toBe(true);
    return err.message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^ {2}- /, ''));
  }
  throw new Error('expected the settings to be refused');
}

describe('loadSettings', () => {
  it('runs locally on a storage connection string alone, with the documented defaults', () => {
    expect(loadSettings(LOCAL)).toEqual({
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      connectorPath: 'connector.json',
      workday: { raasUrl: undefined, soapUrl: undefined, username: undefined, password: undefined, timeoutMs: 120_000 },
      graph: { baseUrl: 'https://graph.microsoft.com', auth: 'azure', clientId: undefined, maxWritesPerSecond: 20 },
      auth: { authorityHost: 'https://login.microsoftonline.com' },
      enrichSchedule: '0 */30 * * * *',
      escrowSweepSchedule: '0 */1 * * * *',
      dryRun: false,
      approveHeldCycle: undefined,
      emailHashKey: undefined,
      queueName: 'worker-jobs',
      tablePrefix: 'attrwriter',
      appInsightsConnectionString: undefined,
      appInsightsAuthenticationString: undefined,
    });
  });

  it("caps this process's Graph write rate at Graph's ceiling", () => {
    expect(loadSettings({ ...LOCAL, GRAPH_MAX_WRITES_PER_SECOND: '10' }).graph.maxWritesPerSecond).toBe(10);
    expect(problems({ ...LOCAL, GRAPH_MAX_WRITES_PER_SECOND: '25' })[0]).toMatch(
      /^GRAPH_MAX_WRITES_PER_SECOND must be at most 20/,
    );
    expect(problems({ ...LOCAL, GRAPH_MAX_WRITES_PER_SECOND: 'fast' })[0]).toMatch(/^GRAPH_MAX_WRITES_PER_SECOND /);
    // The headroom left to the tenant's other writers comes off the deployment's ceiling.
    expect(loadSettings({ ...LOCAL, GRAPH_WRITE_HEADROOM_PERCENT: '25' }).graph.maxWritesPerSecond).toBe(15);
    expect(problems({ ...LOCAL, GRAPH_WRITE_HEADROOM_PERCENT: '95' })[0]).toMatch(
      /^GRAPH_WRITE_HEADROOM_PERCENT must be at most 90/,
    );
    expect(problems({ ...LOCAL, GRAPH_WRITE_HEADROOM_PERCENT: '5.5' })[0]).toMatch(
      /^GRAPH_WRITE_HEADROOM_PERCENT must be a whole percentage/,
    );
  });

  it('bounds every Workday call by WORKDAY_TIMEOUT_SECONDS, within what a retried call can afford', () => {
    expect(loadSettings({ ...LOCAL, WORKDAY_TIMEOUT_SECONDS: '45' }).workday.timeoutMs).toBe(45_000);
    expect(problems({ ...LOCAL, WORKDAY_TIMEOUT_SECONDS: '0' })[0]).toBe(
      'WORKDAY_TIMEOUT_SECONDS must be at least 5 seconds',
    );
    expect(problems({ ...LOCAL, WORKDAY_TIMEOUT_SECONDS: '3600' })[0]).toMatch(
      /^WORKDAY_TIMEOUT_SECONDS must be at most 300 seconds/,
    );
    expect(problems({ ...LOCAL, WORKDAY_TIMEOUT_SECONDS: 'slow' })[0]).toMatch(
      /^WORKDAY_TIMEOUT_SECONDS must be a number of seconds/,
    );
  });

  it('reads the Workday settings', () => {
    const settings = loadSettings({
      ...LOCAL,
      WORKDAY_RAAS_URL: 'https://wd2-impl-services1.workday.com/ccx/service/customreport2/contoso/ISU/Workers',
      WORKDAY_USERNAME: 'ISU_Entra@contoso',
      WORKDAY_PASSWORD: ' secret with spaces ',
    });
    expect(settings.workday).toMatchObject({ username: 'ISU_Entra@contoso', password: ' secret with spaces ' });
  });

  it('treats empty settings as unset, as App Service shows them', () => {
    expect(loadSettings({ ...LOCAL, DRY_RUN: '', GRAPH_BASE_URL: '', APPROVE_HELD_CYCLE: '' })).toMatchObject({
      dryRun: false,
      graph: { baseUrl: 'https://graph.microsoft.com' },
    });
  });

  it('ignores environment variables it does not know', () => {
    expect(() => loadSettings({ ...LOCAL, PATH: '/usr/bin', FUNCTIONS_WORKER_RUNTIME: 'node' })).not.toThrow();
  });

  it('requires storage and says what a good value looks like', () => {
    expect(problems({})).toEqual([
      "AzureWebJobsStorage is required: a connection string ('UseDevelopmentStorage=true' locally) or the identity-based __queueServiceUri and __tableServiceUri",
    ]);
  });

  it('uses identity-based storage when both service URIs are set', () => {
    expect(loadSettings({ ...IDENTITY, AzureWebJobsStorage__clientId: 'client-1' }).storage).toEqual({
      kind: 'identity',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      tableServiceUri: 'https://acct.table.core.windows.net',
      clientId: 'client-1',
    });
  });

  it('prefers identity-based storage to a connection string', () => {
    expect(loadSettings({ ...LOCAL, ...IDENTITY }).storage.kind).toBe('identity');
  });

  it('names the missing table URI of identity-based storage', () => {
    const env = {
      AzureWebJobsStorage__queueServiceUri: IDENTITY.AzureWebJobsStorage__queueServiceUri,
      EMAIL_HASH_KEY: IDENTITY.EMAIL_HASH_KEY,
    };
    expect(problems(env)).toEqual([
      'AzureWebJobsStorage__tableServiceUri is required with identity-based storage (both __queueServiceUri and __tableServiceUri)',
    ]);
  });

  it('names the missing queue URI of identity-based storage', () => {
    const env = {
      AzureWebJobsStorage__tableServiceUri: IDENTITY.AzureWebJobsStorage__tableServiceUri,
      EMAIL_HASH_KEY: IDENTITY.EMAIL_HASH_KEY,
    };
    expect(problems(env)[0]).toMatch(/^AzureWebJobsStorage__queueServiceUri is required/);
  });

  it('refuses a storage credential other than managedidentity', () => {
    expect(problems({ ...IDENTITY, AzureWebJobsStorage__credential: 'connectionstring' })).toEqual([
      "AzureWebJobsStorage__credential must be 'managedidentity'",
    ]);
  });

  it('refuses a service URI that is not a URL', () => {
    expect(problems({ ...IDENTITY, AzureWebJobsStorage__queueServiceUri: 'acct.queue' })[0]).toMatch(
      /^AzureWebJobsStorage__queueServiceUri must be an http\(s\) URL/,
    );
  });

  it('accepts a sovereign-cloud Graph and drops a trailing slash', () => {
    expect(loadSettings({ ...LOCAL, GRAPH_BASE_URL: 'https://graph.microsoft.us/' }).graph.baseUrl).toBe(
      'https://graph.microsoft.us',
    );
  });

  // A version segment followed by more path, or in capitals, would send requests to /V1.0/v1.0/users too.
  it.each([
    'https://graph.microsoft.com/v1.0',
    'https://graph.microsoft.com/v1.0/',
    'https://graph.microsoft.com/beta',
    'https://graph.microsoft.com/V1.0',
    'https://graph.microsoft.com/v1.0/users',
  ])('refuses the version segment in %s', (url) => {
    expect(problems({ ...LOCAL, GRAPH_BASE_URL: url })).toEqual([
      'GRAPH_BASE_URL must hold no version segment, e.g. https://graph.microsoft.com (the client adds /v1.0)',
    ]);
  });

  it.each(['graph.microsoft.com', 'ftp://graph.microsoft.com'])('refuses %s as GRAPH_BASE_URL', (url) => {
    expect(problems({ ...LOCAL, GRAPH_BASE_URL: url })).toEqual([
      'GRAPH_BASE_URL must be an http(s) URL, e.g. https://graph.microsoft.com',
    ]);
  });

  it('refuses GRAPH_AUTH=none against the real Graph', () => {
    expect(problems({ ...LOCAL, GRAPH_AUTH: 'none' })).toEqual([
      "GRAPH_AUTH 'none' is refused because GRAPH_BASE_URL (https://graph.microsoft.com) is not a loopback address; use 'azure'",
    ]);
  });

  it.each(['http://localhost:7071', 'http://127.0.0.1:8080', 'http://127.8.9.10', 'http://[::1]:8080'])(
    'accepts GRAPH_AUTH=none against the simulator at %s',
    (url) => {
      expect(loadSettings({ ...LOCAL, GRAPH_AUTH: 'none', GRAPH_BASE_URL: url }).graph.auth).toBe('none');
    },
  );

  it.each(['http://localhost.attacker.example', 'http://127.0.0.1.nip.io', 'http://10.0.0.1'])(
    'refuses GRAPH_AUTH=none against %s',
    (url) => {
      expect(problems({ ...LOCAL, GRAPH_AUTH: 'none', GRAPH_BASE_URL: url })[0]).toMatch(
        /^GRAPH_AUTH 'none' is refused/,
      );
    },
  );

  it('refuses an unknown GRAPH_AUTH', () => {
    expect(problems({ ...LOCAL, GRAPH_AUTH: 'secret' })).toEqual(["GRAPH_AUTH must be 'azure' or 'none'"]);
  });

  it('accepts six-field NCRONTAB schedules, extra blanks included', () => {
    expect(
      loadSettings({ ...LOCAL, ENRICH_SCHEDULE: '0  0 */2 * * *', ESCROW_SWEEP_SCHEDULE: ' 30 */5 * * * 1-5 ' }),
    ).toMatchObject({
      enrichSchedule: '0  0 */2 * * *',
      escrowSweepSchedule: '30 */5 * * * 1-5',
    });
  });

  it('refuses a five-field cron expression and shows a six-field one', () => {
    expect(problems({ ...LOCAL, ENRICH_SCHEDULE: '*/30 * * * *' })).toEqual([
      "ENRICH_SCHEDULE must be a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}), e.g. '0 */30 * * * *'",
    ]);
    expect(problems({ ...LOCAL, ENRICH_SCHEDULE: 'a b c d e !' })[0]).toMatch(
      /^ENRICH_SCHEDULE must be a six-field NCRONTAB/,
    );
    expect(loadSettings({ ...LOCAL, ENRICH_SCHEDULE: '0 0,30 8-18 * * Mon-Fri' }).enrichSchedule).toBe(
      '0 0,30 8-18 * * Mon-Fri',
    );
    expect(problems({ ...LOCAL, ESCROW_SWEEP_SCHEDULE: '* * * * *' })[0]).toMatch(
      /^ESCROW_SWEEP_SCHEDULE must be a six-field NCRONTAB/,
    );
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('reads DRY_RUN=%s as %s', (value, expected) => {
    expect(loadSettings({ ...LOCAL, DRY_RUN: value }).dryRun).toBe(expected);
  });

  it('refuses DRY_RUN=yes rather than guessing', () => {
    expect(problems({ ...LOCAL, DRY_RUN: 'yes' })).toEqual(["DRY_RUN must be 'true' or 'false'"]);
  });

  it('refuses a table prefix Table storage would refuse', () => {
    expect(problems({ ...LOCAL, TABLE_PREFIX: 'attr-writer' })).toEqual(['TABLE_PREFIX must be letters and digits']);
  });

  it('passes the held-cycle approval through', () => {
    expect(loadSettings({ ...LOCAL, APPROVE_HELD_CYCLE: ' cycle-20260302T080000Z-1a2b3c4d ' }).approveHeldCycle).toBe(
      'cycle-20260302T080000Z-1a2b3c4d',
    );
  });

  it('lists every bad setting at once', () => {
    const lines = problems({ GRAPH_AUTH: 'none', DRY_RUN: 'maybe', ENRICH_SCHEDULE: 'hourly' });
    expect(lines.map((line) => line.split(' ')[0]).sort()).toEqual([
      'AzureWebJobsStorage',
      'DRY_RUN',
      'ENRICH_SCHEDULE',
      'GRAPH_AUTH',
    ]);
  });

  it('never repeats the value of a refused URL, which may hold credentials', () => {
    const [line] = problems({ ...LOCAL, WORKDAY_RAAS_URL: 'wd2.workday.com/report?password=hunter2' });
    expect(line).toMatch(/^WORKDAY_RAAS_URL must be an http\(s\) URL/);
    expect(line).not.toContain('hunter2');
  });
});

describe('EMAIL_HASH_KEY', () => {
  it('stops start-up in Azure (identity-based storage) without it, naming the setting', () => {
    const { EMAIL_HASH_KEY: _key, ...withoutKey } = IDENTITY;
    expect(problems(withoutKey)).toEqual([
      expect.stringMatching(/^EMAIL_HASH_KEY is required unless storage is the development storage/),
    ]);
  });

  it('is required with a real storage account connection string too', () => {
    const real = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net';
    expect(problems({ AzureWebJobsStorage: real })[0]).toMatch(/^EMAIL_HASH_KEY is required/);
  });

  it('is not needed by the read-only commands, which hash nothing', () => {
    const { EMAIL_HASH_KEY: _key, ...withoutKey } = IDENTITY;
    expect(loadSettings(withoutKey, 'storage')).toMatchObject({
      storage: { kind: 'identity' },
      emailHashKey: undefined,
    });
  });

  it('may be left out with Azurite, and is refused when short', () => {
    expect(loadSettings(LOCAL).emailHashKey).toBeUndefined();
    const azurite =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1';
    expect(loadSettings({ AzureWebJobsStorage: azurite }).emailHashKey).toBeUndefined();
    expect(problems({ ...LOCAL, EMAIL_HASH_KEY: 'short' })[0]).toMatch(
      /^EMAIL_HASH_KEY must be at least 32 characters/,
    );
  });
});

describe('WORKER_QUEUE_NAME', () => {
  it('names the job queue per deployment, worker-jobs by default', () => {
    expect(loadSettings(LOCAL).queueName).toBe('worker-jobs');
    expect(loadSettings({ ...LOCAL, WORKER_QUEUE_NAME: 'hr-eu-jobs' }).queueName).toBe('hr-eu-jobs');
  });

  it.each(['Worker_Jobs', 'a', 'jobs--x', `${'q'.repeat(57)}`])('refuses %s, naming the setting', (name) => {
    expect(problems({ ...LOCAL, WORKER_QUEUE_NAME: name })[0]).toMatch(
      /^WORKER_QUEUE_NAME must be a storage queue name/,
    );
  });
});

describe('Workday URLs', () => {
  it.each([
    ['WORKDAY_RAAS_URL', 'http://example.com/r'],
    ['WORKDAY_SOAP_URL', 'http://wd2-impl-services1.workday.com/ccx/service/contoso/Human_Resources/v44.2'],
  ])('refuses plain http to a real host in %s, which would send the password in clear', (name, url) => {
    expect(problems({ ...LOCAL, [name]: url })).toEqual([
      expect.stringMatching(new RegExp(`^${name} must be an https URL \\(plain http only to a loopback address\\)`)),
    ]);
  });

  it.each(['http://127.0.0.1:8080/r', 'http://localhost/r', 'https://example.com/r'])('accepts %s', (url) => {
    expect(loadSettings({ ...LOCAL, WORKDAY_RAAS_URL: url, WORKDAY_SOAP_URL: url }).workday).toMatchObject({
      raasUrl: url,
      soapUrl: url,
    });
  });
});

describe('credentials in URL settings', () => {
  const urlSettings = {
    WORKDAY_RAAS_URL:
      'https://isu:Hunter2@wd2-impl-services1.workday.com/ccx/service/customreport2/contoso/ISU/Entra_Workers',
    WORKDAY_SOAP_URL: 'https://isu:Hunter2@wd2-impl-services1.workday.com/ccx/service/contoso/Human_Resources/v44.2',
    GRAPH_BASE_URL: 'https://app:Hunter2@graph.microsoft.com',
    AzureWebJobsStorage__queueServiceUri: 'https://acct:Hunter2@acct.queue.core.windows.net',
    AzureWebJobsStorage__tableServiceUri: 'https://acct:Hunter2@acct.table.core.windows.net',
  };

  it.each(Object.entries(urlSettings))(
    'refuses user:password@ in %s, naming the setting and not echoing the secret',
    (name, url) => {
      const env = name.startsWith('AzureWebJobsStorage__') ? { ...IDENTITY, [name]: url } : { ...LOCAL, [name]: url };
      const lines = problems(env);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${name} must hold no credentials`)));
      expect(lines.join('\n')).not.toContain('Hunter2');
      expect(lines.join('\n')).not.toContain('isu:');
    },
  );

  it('refuses a user name alone before the @ as well', () => {
    expect(
      problems({ ...LOCAL, WORKDAY_RAAS_URL: 'https://isu@wd2.workday.com/ccx/service/customreport2/c/o/r' }),
    ).toEqual([expect.stringMatching(/^WORKDAY_RAAS_URL must hold no credentials/)]);
  });

  it('does not echo credentials through another setting that names the URL', () => {
    const lines = problems({ ...LOCAL, GRAPH_AUTH: 'none', GRAPH_BASE_URL: 'https://app:Hunter2@graph.microsoft.com' });
    expect(lines.join('\n')).not.toContain('Hunter2');
  });

  it('accepts an @ in the path or query, which is no credential', () => {
    expect(
      loadSettings({
        ...LOCAL,
        WORKDAY_RAAS_URL:
          'https://wd2.workday.com/ccx/service/customreport2/contoso/ISU_Entra@contoso/Entra_Workers?format=json',
      }).workday.raasUrl,
    ).toContain('ISU_Entra@contoso');
  });
});

describe('isLoopbackUrl', () => {
  it.each(['http://localhost', 'https://localhost:8443/x', 'http://127.0.0.1', 'http://127.255.0.1:1', 'http://[::1]'])(
    'calls %s loopback',
    (url) => {
      expect(isLoopbackUrl(url)).toBe(true);
    },
  );

  it.each(['https://graph.microsoft.com', 'http://localhost.example.com', 'http://0.0.0.0', 'not a url', ''])(
    'does not call %s loopback',
    (url) => {
      expect(isLoopbackUrl(url)).toBe(false);
    },
  );
});

describe('SETTING_NAMES', () => {
  it('names every setting of the contract', () => {
    expect(SETTING_NAMES).toEqual(
      expect.arrayContaining([
        'AzureWebJobsStorage',
        'AzureWebJobsStorage__queueServiceUri',
        'AzureWebJobsStorage__tableServiceUri',
        'AzureWebJobsStorage__credential',
        'AzureWebJobsStorage__clientId',
        'CONNECTOR_CONFIG',
        'WORKDAY_RAAS_URL',
        'WORKDAY_USERNAME',
        'WORKDAY_PASSWORD',
        'WORKDAY_SOAP_URL',
        'GRAPH_BASE_URL',
        'GRAPH_AUTH',
        'ENRICH_SCHEDULE',
        'ESCROW_SWEEP_SCHEDULE',
        'DRY_RUN',
      ]),
    );
  });
});
