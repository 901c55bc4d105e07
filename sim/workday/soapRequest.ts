/**
 * Reads a Get_Workers SOAP request the way the Workday endpoint does: the envelope, the
 * WS-Security UsernameToken, and the request's references, criteria, filter and response group,
 * refusing with the validation faults Workday uses. Parsed independently of the client's own
 * parser (object mode here, an ordered tree there) so that the two cannot share one bug.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SoapFaultReply, clientFault, validationFault } from './soapFaults';

export const MAX_PAGE_COUNT = 999;
export const DEFAULT_PAGE_COUNT = 100;
const BSVC = 'urn:com.workday/bsvc';
const WORKER_ID_TYPES = ['Employee_ID', 'Contingent_Worker_ID', 'WID'];

export interface WorkerReferenceId {
  type: string;
  value: string;
}

export interface ResponseGroup {
  includeReference: boolean;
  includePersonal: boolean;
  includeEmployment: boolean;
  includeOrganizations: boolean;
}

export interface GetWorkersRequest {
  /** Null when the request carried no UsernameToken. */
  credentials: { username: string; password: string } | null;
  references: WorkerReferenceId[] | null;
  skipNonExisting: boolean;
  updatedFrom: Date | null;
  updatedThrough: Date | null;
  /** The effective-date window: log entries whose change took effect inside it. */
  effectiveFrom: Date | null;
  effectiveThrough: Date | null;
  excludeInactive: boolean;
  /** As sent, so the response echoes it verbatim. */
  asOfEffectiveDate: string | null;
  asOfEntryDateTime: string | null;
  page: number;
  count: number;
  group: ResponseGroup;
  /** The request's raw sections, echoed in the response as Workday does. */
  echo: { references: boolean; criteria: boolean };
}

export type XmlObject = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => name === 'Worker_Reference' || name === 'ID',
});

/** The envelope as an object, or a Client fault when it is not well-formed SOAP. */
export function parseEnvelope(body: string): XmlObject {
  const valid = XMLValidator.validate(body);
  if (valid !== true)
    throw new SoapFaultReply(clientFault(`Invalid XML in request: ${valid.err.msg} (line ${valid.err.line})`));
  const document = parser.parse(body) as XmlObject;
  const envelope = child(document, 'Envelope');
  if (!envelope || !child(envelope, 'Body'))
    throw new SoapFaultReply(clientFault('The request is not a SOAP 1.1 envelope'));
  return envelope;
}

/** The page number a request asks for, for fault injection before anything is validated. */
export function requestedPage(envelope: XmlObject): number | undefined {
  const page = Number(text(child(child(operationOf(envelope)?.element, 'Response_Filter'), 'Page')));
  return Number.isInteger(page) && page > 0 ? page : undefined;
}

export function credentialsOf(envelope: XmlObject): GetWorkersRequest['credentials'] {
  const token = child(child(child(envelope, 'Header'), 'Security'), 'UsernameToken');
  const username = text(child(token, 'Username'), false);
  const password = text(child(token, 'Password'), false);
  return username === null || password === null ? null : { username, password };
}

/** Reads the Get_Workers request, or throws the fault Workday would answer with. */
export function readGetWorkers(envelope: XmlObject, rawBody: string): GetWorkersRequest {
  const operation = operationOf(envelope);
  if (operation?.name !== 'Get_Workers_Request' || !rawBody.includes(BSVC)) {
    const name = operation?.name ?? 'nothing';
    throw new SoapFaultReply(
      clientFault(`Unknown operation ${name}: this endpoint simulates Human_Resources Get_Workers_Request in ${BSVC}`),
    );
  }
  const request = operation.element;
  const references = child(request, 'Request_References');
  const criteria = child(request, 'Request_Criteria');
  const filter = child(request, 'Response_Filter');
  const range = child(child(criteria, 'Transaction_Log_Criteria_Data'), 'Transaction_Date_Range_Data');
  const [updatedFrom, updatedThrough] = dateRange(
    text(child(range, 'Updated_From')),
    text(child(range, 'Updated_Through')),
    'Updated',
  );
  const [effectiveFrom, effectiveThrough] = dateRange(
    text(child(range, 'Effective_From')),
    text(child(range, 'Effective_Through')),
    'Effective',
  );
  return {
    credentials: credentialsOf(envelope),
    references: references ? workerReferences(references) : null,
    skipNonExisting: isTrue(references?.['@Skip_Non_Existing_Instances']),
    updatedFrom,
    updatedThrough,
    effectiveFrom,
    effectiveThrough,
    excludeInactive: isTrue(text(child(criteria, 'Exclude_Inactive_Workers'))),
    asOfEffectiveDate: checkedDate(
      text(child(filter, 'As_Of_Effective_Date')),
      'As_Of_Effective_Date',
      'dateOrDateTime',
    ),
    asOfEntryDateTime: checkedDate(text(child(filter, 'As_Of_Entry_DateTime')), 'As_Of_Entry_DateTime'),
    page: pageNumber(text(child(filter, 'Page'))),
    count: pageCount(text(child(filter, 'Count'))),
    group: responseGroup(child(request, 'Response_Group')),
    echo: { references: references !== undefined, criteria: criteria !== undefined },
  };
}

function operationOf(envelope: XmlObject): { name: string; element: XmlObject } | undefined {
  const body = child(envelope, 'Body');
  const name = body && Object.keys(body).find((key) => !key.startsWith('@') && key !== '#text');
  const element = name ? child(body, name) : undefined;
  return name && element ? { name, element } : undefined;
}

function workerReferences(references: XmlObject): WorkerReferenceId[] {
  const ids = asArray(references.Worker_Reference).flatMap((reference) => asArray((reference as XmlObject).ID));
  return ids.map((id, index) => {
    const type = typeof id === 'object' && id !== null ? String((id as XmlObject)['@type'] ?? '') : '';
    if (!WORKER_ID_TYPES.includes(type)) {
      throw new SoapFaultReply(
        validationFault(
          `Invalid ID type '${type}' for Worker_Reference.`,
          `/bsvc:Get_Workers_Request[1]/bsvc:Request_References[1]/bsvc:Worker_Reference[${index + 1}]`,
        ),
      );
    }
    return { type, value: text(id) ?? '' };
  });
}

function dateRange(
  from: string | null,
  through: string | null,
  kind: 'Updated' | 'Effective',
): [Date | null, Date | null] {
  if ((from === null) !== (through === null)) {
    throw new SoapFaultReply(
      validationFault(`If one of ${kind} From or ${kind} Through contains a value, both are Required!`),
    );
  }
  if (from === null || through === null) return [null, null];
  const start = new Date(checkedDate(from, `${kind}_From`)!);
  const end = new Date(checkedDate(through, `${kind}_Through`)!);
  if (start.getTime() > end.getTime())
    throw new SoapFaultReply(validationFault(`${kind} From must be less than or equal to ${kind} Through!`));
  return [start, end];
}

/** An xsd:date as the moment it starts (its offset, else UTC); an xsd:dateTime as itself. */
export function momentOf(value: string): Date {
  const date = /^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!date) return new Date(value);
  const offset = date[2] === undefined || date[2] === 'Z' ? '+00:00' : date[2];
  return new Date(`${date[1]}T00:00:00${offset}`);
}

const XSD_DATE = /^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/;
const XSD_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * xsd:date (`2026-11-26-08:00`) or xsd:dateTime (`2026-11-26T22:00:00.000+00:00`). As_Of_Effective_Date
 * takes either: Microsoft's Workday connector sends it as a full timestamp.
 */
function checkedDate(
  value: string | null,
  element: string,
  kind: 'dateOrDateTime' | 'dateTime' = 'dateTime',
): string | null {
  if (value === null) return null;
  const dateTime = XSD_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
  const valid = kind === 'dateOrDateTime' ? XSD_DATE.test(value) || dateTime : dateTime;
  if (!valid)
    throw new SoapFaultReply(
      validationFault(
        `The value '${value}' of ${element} is not a valid ${kind === 'dateTime' ? 'dateTime' : 'date'}.`,
      ),
    );
  return value;
}

function pageNumber(value: string | null): number {
  if (value === null) return 1;
  const page = Number(value);
  if (page === 0)
    throw new SoapFaultReply(
      validationFault(
        'Page Number cannot be zero.',
        '/bsvc:Get_Workers_Request[1]/bsvc:Response_Filter[1]/bsvc:Page[1]',
      ),
    );
  if (!Number.isInteger(page) || page < 0)
    throw new SoapFaultReply(validationFault(`The value '${value}' of Page is not a valid page number.`));
  return page;
}

function pageCount(value: string | null): number {
  if (value === null) return DEFAULT_PAGE_COUNT;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > MAX_PAGE_COUNT) {
    throw new SoapFaultReply(
      validationFault(
        `Count must be between 1 and ${MAX_PAGE_COUNT}; '${value}' is not.`,
        '/bsvc:Get_Workers_Request[1]/bsvc:Response_Filter[1]/bsvc:Count[1]',
      ),
    );
  }
  return count;
}

/** Without a Response_Group Workday returns every group; with one, only the groups set to true. */
function responseGroup(group: XmlObject | undefined): ResponseGroup {
  const flag = (name: string): boolean => (group ? isTrue(text(child(group, name))) : true);
  return {
    includeReference: flag('Include_Reference'),
    includePersonal: flag('Include_Personal_Information'),
    includeEmployment: flag('Include_Employment_Information'),
    includeOrganizations: flag('Include_Organizations'),
  };
}

function child(parent: XmlObject | undefined, name: string): XmlObject | undefined {
  const value = parent?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'object' && first !== null ? (first as XmlObject) : { '#text': String(first) };
}

/** An element's text; trimmed unless it is a secret that must be compared exactly. */
function text(element: unknown, trim = true): string | null {
  if (element === undefined || element === null) return null;
  const raw = typeof element === 'object' ? (element as XmlObject)['#text'] : element;
  if (raw === undefined) return trim ? null : '';
  const value = String(raw);
  return trim ? value.trim() : value;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isTrue(value: unknown): boolean {
  return value === 'true' || value === '1';
}
