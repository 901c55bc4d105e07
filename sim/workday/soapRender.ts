/**
 * Renders simulated workers as a Get_Workers_Response page, element for element where the
 * writer (and Microsoft's Workday connector) read: Worker_Reference ids, Worker_ID, HOME and WORK
 * emails with their primary flags, home and business-site addresses, worker type, status and the
 * COMPANY organisation. Built from string pieces, one worker at a time.
 */
import { createHash } from 'node:crypto';
import type { SimEmail, SimWorker } from '../world';
import type { WorkerAsOf } from './asOfView';
import { escapeXml as x } from './soapFaults';
import type { GetWorkersRequest, ResponseGroup } from './soapRequest';

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const BSVC = 'urn:com.workday/bsvc';
export const SIMULATED_VERSION = 'v44.2';

export interface ResponsePage {
  request: GetWorkersRequest;
  workers: readonly WorkerAsOf[];
  totalResults: number;
  totalPages: number;
  /** The moment the tenant answered (for As_Of defaults). */
  now: Date;
}

export function renderResponse(page: ResponsePage): string {
  const { request } = page;
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${SOAP_ENV}"><env:Body>`,
    `<wd:Get_Workers_Response xmlns:wd="${BSVC}" wd:version="${SIMULATED_VERSION}">`,
  ];
  if (request.echo.references && request.references) parts.push(renderRequestReferences(request));
  if (request.echo.criteria) parts.push(renderRequestCriteria(request));
  parts.push(
    '<wd:Response_Filter>',
    `<wd:As_Of_Effective_Date>${x(request.asOfEffectiveDate ?? `${page.now.toISOString().slice(0, 10)}-00:00`)}</wd:As_Of_Effective_Date>`,
    `<wd:As_Of_Entry_DateTime>${x(request.asOfEntryDateTime ?? page.now.toISOString().replace('Z', '-00:00'))}</wd:As_Of_Entry_DateTime>`,
    `<wd:Page>${request.page}</wd:Page><wd:Count>${request.count}</wd:Count>`,
    '</wd:Response_Filter>',
    renderResponseGroup(request.group),
    '<wd:Response_Results>',
    `<wd:Total_Results>${page.totalResults}</wd:Total_Results><wd:Total_Pages>${page.totalPages}</wd:Total_Pages>`,
    `<wd:Page_Results>${page.workers.length}</wd:Page_Results><wd:Page>${request.page}</wd:Page>`,
    '</wd:Response_Results>',
  );
  if (page.workers.length > 0) {
    parts.push('<wd:Response_Data>');
    for (const worker of page.workers) parts.push(renderWorker(worker, request.group));
    parts.push('</wd:Response_Data>');
  }
  parts.push('</wd:Get_Workers_Response></env:Body></env:Envelope>');
  return parts.join('');
}

function renderRequestReferences(request: GetWorkersRequest): string {
  const ids = (request.references ?? []).map(
    (id) => `<wd:Worker_Reference><wd:ID wd:type="${x(id.type)}">${x(id.value)}</wd:ID></wd:Worker_Reference>`,
  );
  return `<wd:Request_References wd:Skip_Non_Existing_Instances="${request.skipNonExisting ? 1 : 0}">${ids.join('')}</wd:Request_References>`;
}

function renderRequestCriteria(request: GetWorkersRequest): string {
  const updated =
    request.updatedFrom && request.updatedThrough
      ? `<wd:Updated_From>${request.updatedFrom.toISOString()}</wd:Updated_From><wd:Updated_Through>${request.updatedThrough.toISOString()}</wd:Updated_Through>`
      : '';
  const effective =
    request.effectiveFrom && request.effectiveThrough
      ? `<wd:Effective_From>${request.effectiveFrom.toISOString()}</wd:Effective_From><wd:Effective_Through>${request.effectiveThrough.toISOString()}</wd:Effective_Through>`
      : '';
  const range =
    updated || effective
      ? `<wd:Transaction_Log_Criteria_Data><wd:Transaction_Date_Range_Data>${updated}${effective}</wd:Transaction_Date_Range_Data></wd:Transaction_Log_Criteria_Data>`
      : '';
  return `<wd:Request_Criteria>${range}<wd:Exclude_Inactive_Workers>${flag(request.excludeInactive)}</wd:Exclude_Inactive_Workers></wd:Request_Criteria>`;
}

function renderResponseGroup(group: ResponseGroup): string {
  return (
    '<wd:Response_Group>' +
    `<wd:Include_Reference>${flag(group.includeReference)}</wd:Include_Reference>` +
    `<wd:Include_Personal_Information>${flag(group.includePersonal)}</wd:Include_Personal_Information>` +
    `<wd:Include_Employment_Information>${flag(group.includeEmployment)}</wd:Include_Employment_Information>` +
    `<wd:Include_Organizations>${flag(group.includeOrganizations)}</wd:Include_Organizations>` +
    '</wd:Response_Group>'
  );
}

export function renderWorker(worker: WorkerAsOf, group: ResponseGroup): string {
  const descriptor = `Worker ${worker.workerId}`;
  const parts: string[] = ['<wd:Worker>'];
  if (group.includeReference) {
    parts.push(
      `<wd:Worker_Reference wd:Descriptor="${x(descriptor)}">`,
      `<wd:ID wd:type="WID">${wid('worker', worker.workerId)}</wd:ID>`,
      `<wd:ID wd:type="${worker.workerType === 'Employee' ? 'Employee_ID' : 'Contingent_Worker_ID'}">${x(worker.workerId)}</wd:ID>`,
      '</wd:Worker_Reference>',
      `<wd:Worker_Descriptor>${x(descriptor)}</wd:Worker_Descriptor>`,
    );
  }
  parts.push('<wd:Worker_Data>', `<wd:Worker_ID>${x(worker.workerId)}</wd:Worker_ID>`);
  if (group.includePersonal) parts.push(renderPersonalData(worker));
  if (group.includeEmployment) parts.push(renderEmploymentData(worker));
  if (group.includeOrganizations) parts.push(renderOrganizationData(worker));
  parts.push('</wd:Worker_Data></wd:Worker>');
  return parts.join('');
}

function renderPersonalData(worker: SimWorker): string {
  const home = worker.homeCountry === null ? '' : renderAddress(worker.homeCountry, 'HOME', `home-${worker.workerId}`);
  return `<wd:Personal_Data><wd:Contact_Data>${home}${worker.emails.map((email, index) => renderEmail(worker, email, index)).join('')}</wd:Contact_Data></wd:Personal_Data>`;
}

function renderEmail(worker: SimWorker, email: SimEmail, index: number): string {
  const emailId = `EMAIL_REFERENCE-${worker.workerId}-${index + 1}`;
  return (
    '<wd:Email_Address_Data>' +
    `<wd:Email_Address>${x(email.address)}</wd:Email_Address>` +
    `<wd:Usage_Data wd:Public="${email.usage === 'WORK' ? 1 : 0}">` +
    `<wd:Type_Data wd:Primary="${email.primary ? 1 : 0}">${usageType(email.usage)}</wd:Type_Data>` +
    '</wd:Usage_Data>' +
    `<wd:Email_Reference wd:Descriptor="${x(emailId)}"><wd:ID wd:type="WID">${wid('email', emailId)}</wd:ID><wd:ID wd:type="Email_ID">${x(emailId)}</wd:ID></wd:Email_Reference>` +
    `<wd:ID>${x(emailId)}</wd:ID>` +
    '</wd:Email_Address_Data>'
  );
}

function usageType(usage: SimEmail['usage']): string {
  const descriptor = usage === 'HOME' ? 'Home' : 'Work';
  return `<wd:Type_Reference wd:Descriptor="${descriptor}"><wd:ID wd:type="WID">${wid('usage', usage)}</wd:ID><wd:ID wd:type="Communication_Usage_Type_ID">${usage}</wd:ID></wd:Type_Reference>`;
}

function renderAddress(country: string, usage: SimEmail['usage'] | null, key: string): string {
  const usageData = usage
    ? `<wd:Usage_Data wd:Public="${usage === 'WORK' ? 1 : 0}"><wd:Type_Data wd:Primary="1">${usageType(usage)}</wd:Type_Data></wd:Usage_Data>`
    : '';
  return (
    `<wd:Address_Data wd:Effective_Date="2020-01-01-00:00" wd:Address_Format_Type="Basic" wd:Formatted_Address="${x(`1 Main Street&#xa;${country}`)}" wd:Defaulted_Business_Site_Address="0">` +
    `<wd:Country_Reference wd:Descriptor="${x(country)}"><wd:ID wd:type="WID">${wid('country', country)}</wd:ID><wd:ID wd:type="ISO_3166-1_Alpha-2_Code">${x(country)}</wd:ID></wd:Country_Reference>` +
    '<wd:Address_Line_Data wd:Type="ADDRESS_LINE_1" wd:Descriptor="Address Line 1">1 Main Street</wd:Address_Line_Data>' +
    `${usageData}<wd:Address_Reference wd:Descriptor="ADDRESS_REFERENCE-${x(key)}"><wd:ID wd:type="Address_ID">ADDRESS_REFERENCE-${x(key)}</wd:ID></wd:Address_Reference>` +
    '</wd:Address_Data>'
  );
}

function renderEmploymentData(worker: WorkerAsOf): string {
  const typeId = worker.workerType === 'Employee' ? 'Employee_Type_ID' : 'Contingent_Worker_Type_ID';
  const site =
    worker.businessSiteCountry === null
      ? ''
      : '<wd:Business_Site_Summary_Data>' +
        `<wd:Location_Reference wd:Descriptor="Office ${x(worker.businessSiteCountry)}"><wd:ID wd:type="Location_ID">LOC_${x(worker.businessSiteCountry)}</wd:ID></wd:Location_Reference>` +
        `<wd:Name>Office ${x(worker.businessSiteCountry)}</wd:Name>` +
        renderAddress(worker.businessSiteCountry, null, `site-${worker.businessSiteCountry}`) +
        '</wd:Business_Site_Summary_Data>';
  return (
    '<wd:Employment_Data><wd:Worker_Job_Data wd:Primary_Job="1"><wd:Position_Data wd:Effective_Date="2020-01-01-00:00">' +
    `<wd:Position_ID>P-${x(worker.workerId)}</wd:Position_ID><wd:Business_Title>Specialist</wd:Business_Title>` +
    `<wd:Worker_Type_Reference wd:Descriptor="${x(worker.employeeType)}"><wd:ID wd:type="WID">${wid('type', worker.employeeType)}</wd:ID>` +
    `<wd:ID wd:type="${typeId}">${x(worker.employeeType)}</wd:ID></wd:Worker_Type_Reference>` +
    `${site}</wd:Position_Data></wd:Worker_Job_Data>` +
    `<wd:Worker_Status_Data><wd:Active>${flag(worker.active)}</wd:Active><wd:Hire_Date>${hireDateOf(worker)}</wd:Hire_Date>` +
    `<wd:Terminated>${flag(!worker.active)}</wd:Terminated></wd:Worker_Status_Data>` +
    '</wd:Employment_Data>'
  );
}

/** A supervisory organisation comes first, so a reader must pick the COMPANY one by its type. */
function renderOrganizationData(worker: SimWorker): string {
  const supervisory = renderOrganization('Global Operations', 'SUPERVISORY', 'Supervisory');
  const company = worker.legalEntity === null ? '' : renderOrganization(worker.legalEntity, 'COMPANY', 'Company');
  return `<wd:Organization_Data>${supervisory}${company}</wd:Organization_Data>`;
}

function renderOrganization(name: string, type: string, typeDescriptor: string): string {
  const referenceId = `${type}-${name.replace(/[^A-Za-z0-9]+/g, '_')}`;
  return (
    '<wd:Worker_Organization_Data>' +
    `<wd:Organization_Reference wd:Descriptor="${x(name)}"><wd:ID wd:type="WID">${wid('org', referenceId)}</wd:ID>` +
    `<wd:ID wd:type="Organization_Reference_ID">${x(referenceId)}</wd:ID></wd:Organization_Reference>` +
    `<wd:Organization_Data><wd:Organization_Reference_ID>${x(referenceId)}</wd:Organization_Reference_ID><wd:Organization_Name>${x(name)}</wd:Organization_Name>` +
    `<wd:Organization_Type_Reference wd:Descriptor="${typeDescriptor}"><wd:ID wd:type="WID">${wid('orgType', type)}</wd:ID>` +
    `<wd:ID wd:type="Organization_Type_ID">${type}</wd:ID></wd:Organization_Type_Reference>` +
    '</wd:Organization_Data></wd:Worker_Organization_Data>'
  );
}

/** xsd:date of the hire, in UTC (simulated hires take effect at midnight UTC). */
function hireDateOf(worker: WorkerAsOf): string {
  return worker.hireDate ? `${worker.hireDate.toISOString().slice(0, 10)}+00:00` : '2020-01-01-00:00';
}

/** Workday ids are 32 hex digits; derive them so that a worker keeps its WID across requests. */
export function wid(kind: string, key: string): string {
  return createHash('md5').update(`${kind}:${key}`).digest('hex');
}

function flag(value: boolean): string {
  return value ? '1' : '0';
}
