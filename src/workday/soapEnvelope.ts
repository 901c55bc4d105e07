/**
 * The Get_Workers requests the SOAP source sends, written out by hand (no WSDL is fetched at run
 * time): a WS-Security UsernameToken with the password as PasswordText, and either a page of
 * workers pinned to one moment (optionally in a transaction-log window) or a lookup of one worker
 * by id. Date-times go out in UTC with an explicit offset, As_Of_Effective_Date included: as
 * Microsoft's Workday connector sends it, a full timestamp, so the effective view and the log
 * window end at the same instant (a UTC date would cut the view at midnight).
 */
const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const BSVC = 'urn:com.workday/bsvc';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * A transaction-log window (Transaction_Date_Range_Data): `entered` finds the changes entered in
 * it (Updated_From/Through), `effective` the changes that took effect in it (Effective_From/Through).
 */
export interface LogWindow {
  kind: 'entered' | 'effective';
  from: Date;
  through: Date;
}

export interface WorkersPageRequest {
  page: number;
  count: number;
  /** Every page of one read carries the same moment, so the pages are one consistent snapshot. */
  asOf: Date;
  /** Incremental read: only the workers with a log entry in this window. */
  window?: LogWindow;
  excludeInactive?: boolean;
}

export type WorkerIdType = 'Employee_ID' | 'Contingent_Worker_ID' | 'WID';

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** xsd:dateTime in UTC with an explicit offset (`2026-11-26T22:00:00.000+00:00`), never a local time. */
export function workdayDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** The `v44.2` at the end of the endpoint URL, sent back as the request's version when present. */
export function versionOf(endpoint: string): string | undefined {
  const last = new URL(endpoint).pathname.split('/').filter(Boolean).pop();
  return last && /^v\d+(\.\d+)*$/.test(last) ? last : undefined;
}

export function workersPageEnvelope(credentials: Credentials, request: WorkersPageRequest, version?: string): string {
  const range = request.window ? logWindow(request.window) : '';
  const inactive = request.excludeInactive ? '<bsvc:Exclude_Inactive_Workers>true</bsvc:Exclude_Inactive_Workers>' : '';
  const criteria = range || inactive ? `<bsvc:Request_Criteria>${range}${inactive}</bsvc:Request_Criteria>` : '';
  const filter = responseFilter(
    request.asOf,
    `<bsvc:Page>${request.page}</bsvc:Page><bsvc:Count>${request.count}</bsvc:Count>`,
  );
  return envelope(credentials, getWorkers(`${criteria}${filter}${RESPONSE_GROUP}`, version));
}

function logWindow(window: LogWindow): string {
  const [from, through] =
    window.kind === 'entered' ? ['Updated_From', 'Updated_Through'] : ['Effective_From', 'Effective_Through'];
  return (
    '<bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data>' +
    `<bsvc:${from}>${workdayDateTime(window.from)}</bsvc:${from}><bsvc:${through}>${workdayDateTime(window.through)}</bsvc:${through}>` +
    '</bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data>'
  );
}

/** The effective view and the entry moment pinned together, so a read that crosses midnight does not change its view halfway. */
function responseFilter(asOf: Date, paging = ''): string {
  return (
    '<bsvc:Response_Filter>' +
    `<bsvc:As_Of_Effective_Date>${workdayDateTime(asOf)}</bsvc:As_Of_Effective_Date>` +
    `<bsvc:As_Of_Entry_DateTime>${workdayDateTime(asOf)}</bsvc:As_Of_Entry_DateTime>${paging}` +
    '</bsvc:Response_Filter>'
  );
}

/** One worker by id; `asOf` (a future hire's first day) views the worker as of then instead of now. */
export function workerLookupEnvelope(
  credentials: Credentials,
  idType: WorkerIdType,
  workerId: string,
  version?: string,
  asOf?: Date,
): string {
  const references =
    '<bsvc:Request_References bsvc:Skip_Non_Existing_Instances="false">' +
    `<bsvc:Worker_Reference><bsvc:ID bsvc:type="${idType}">${escapeXml(workerId)}</bsvc:ID></bsvc:Worker_Reference>` +
    '</bsvc:Request_References>';
  return envelope(
    credentials,
    getWorkers(`${references}${asOf ? responseFilter(asOf) : ''}${RESPONSE_GROUP}`, version),
  );
}

/**
 * Many workers by id in one request, under every id type each id may be (an employee and a
 * contingent worker can share one), as of one moment; Skip_Non_Existing_Instances makes Workday
 * leave out the references it does not hold instead of refusing the whole request.
 */
export function workersByIdEnvelope(
  credentials: Credentials,
  references: ReadonlyArray<{ idType: WorkerIdType; workerId: string }>,
  request: { page: number; count: number; asOf: Date },
  version?: string,
): string {
  const ids = references
    .map(
      ({ idType, workerId }) =>
        `<bsvc:Worker_Reference><bsvc:ID bsvc:type="${idType}">${escapeXml(workerId)}</bsvc:ID></bsvc:Worker_Reference>`,
    )
    .join('');
  const paging = `<bsvc:Page>${request.page}</bsvc:Page><bsvc:Count>${request.count}</bsvc:Count>`;
  return envelope(
    credentials,
    getWorkers(
      `<bsvc:Request_References bsvc:Skip_Non_Existing_Instances="true">${ids}</bsvc:Request_References>` +
        `${responseFilter(request.asOf, paging)}${RESPONSE_GROUP}`,
      version,
    ),
  );
}

/**
 * Exactly the groups the attributes come from; Workday returns every group when none is named.
 * Within Organization data, the `Exclude_*` flags drop what the connector never reads (support
 * roles, hierarchies, matrix organisations, pay groups, regions, funds, grants, business units,
 * programs, gifts): the flags Microsoft's Workday connector sends to keep pages small ("How
 * Microsoft Entra provisioning integrates with Workday",
 * https://learn.microsoft.com/entra/identity/app-provisioning/workday-integration-reference).
 * Companies stay (Legal_Entity is the COMPANY organisation). Elements in the order of
 * Worker_Response_GroupType in Workday's Human_Resources schema, which a validating parser enforces.
 */
const RESPONSE_GROUP_FLAGS = [
  'Include_Reference',
  'Include_Personal_Information',
  'Include_Employment_Information',
  'Include_Organizations',
  'Exclude_Organization_Support_Role_Data',
  'Exclude_Location_Hierarchies',
  'Exclude_Cost_Center_Hierarchies',
  'Exclude_Company_Hierarchies',
  'Exclude_Matrix_Organizations',
  'Exclude_Pay_Groups',
  'Exclude_Regions',
  'Exclude_Region_Hierarchies',
  'Exclude_Funds',
  'Exclude_Fund_Hierarchies',
  'Exclude_Grants',
  'Exclude_Grant_Hierarchies',
  'Exclude_Business_Units',
  'Exclude_Business_Unit_Hierarchies',
  'Exclude_Programs',
  'Exclude_Program_Hierarchies',
  'Exclude_Gifts',
  'Exclude_Gift_Hierarchies',
] as const;

const RESPONSE_GROUP = `<bsvc:Response_Group>${RESPONSE_GROUP_FLAGS.map((flag) => `<bsvc:${flag}>true</bsvc:${flag}>`).join('')}</bsvc:Response_Group>`;

function getWorkers(content: string, version: string | undefined): string {
  const versionAttribute = version ? ` bsvc:version="${escapeXml(version)}"` : '';
  return `<bsvc:Get_Workers_Request${versionAttribute}>${content}</bsvc:Get_Workers_Request>`;
}

function envelope(credentials: Credentials, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:bsvc="${BSVC}">` +
    `<soapenv:Header><wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="${WSSE}"><wsse:UsernameToken>` +
    `<wsse:Username>${escapeXml(credentials.username)}</wsse:Username>` +
    `<wsse:Password Type="${PASSWORD_TEXT}">${escapeXml(credentials.password)}</wsse:Password>` +
    '</wsse:UsernameToken></wsse:Security></soapenv:Header>' +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}
