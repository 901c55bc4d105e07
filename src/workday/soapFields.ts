/**
 * Where each SOAP attribute is read from a `Worker` element, as XPath expressions in the form the
 * Entra Workday connector uses (its v30+ defaults, plus the HOME email and home address it leaves
 * to custom expressions), and the RawRecord those expressions fill, under the attribute names
 * docs/design.md ("The connector file") gives the SOAP source so that one scope serves RaaS and SOAP alike.
 */
import type { SoapPathField } from '../core/connector';
import { AppError } from '../core/errors';
import type { RawRecord } from '../core/ports';
import { compileSoapPath, type SoapPath } from './soapPath';
import { descend, type XmlElement } from './soapXml';

/** Each field is one expression or several tried in order (the first that yields a value wins). */
export type SoapFieldPaths = Record<SoapPathField, string | string[]>;

const WORKER = 'wd:Worker/wd:Worker_Data';
const PRIMARY_JOB = `${WORKER}/wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job=1]/wd:Position_Data`;
const usage = (type: string): string =>
  `wd:Usage_Data/wd:Type_Data/wd:Type_Reference/wd:ID[@wd:type='Communication_Usage_Type_ID']='${type}'`;
const PRIMARY_HOME = `wd:Usage_Data/wd:Type_Data[@wd:Primary='1' or @wd:Primary='true'][wd:Type_Reference/wd:ID[@wd:type='Communication_Usage_Type_ID']='HOME']`;
const ALPHA_2 = "wd:Country_Reference/wd:ID[@wd:type='ISO_3166-1_Alpha-2_Code']/text()";
const upper = (expression: string): string =>
  `translate(string(${expression}),'abcdefghijklmnopqrstuvwxyz','ABCDEFGHIJKLMNOPQRSTUVWXYZ')`;

export const DEFAULT_SOAP_FIELD_PATHS: SoapFieldPaths = {
  workerId: `${WORKER}/wd:Worker_ID/text()`,
  // Only their presence counts (a bad record may carry an empty id).
  employeeId: "wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='Employee_ID']",
  contingentWorkerId: "wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='Contingent_Worker_ID']",
  // docs/design.md "Facts the code must respect": the primary HOME email, else the first HOME one.
  personalEmail: [
    `${WORKER}/wd:Personal_Data/wd:Contact_Data/wd:Email_Address_Data[${PRIMARY_HOME}]/wd:Email_Address/text()`,
    `${WORKER}/wd:Personal_Data/wd:Contact_Data/wd:Email_Address_Data[${usage('HOME')}]/wd:Email_Address/text()`,
  ],
  businessSiteCountry: `${PRIMARY_JOB}/wd:Business_Site_Summary_Data/wd:Address_Data/${ALPHA_2}`,
  homeCountry: `${WORKER}/wd:Personal_Data/wd:Contact_Data/wd:Address_Data[${usage('HOME')}]/${ALPHA_2}`,
  employeeType: `${PRIMARY_JOB}/wd:Worker_Type_Reference[wd:ID/@wd:type="Contingent_Worker_Type_ID" or wd:ID/@wd:type="Employee_Type_ID"]/@wd:Descriptor`,
  legalEntity:
    `${WORKER}/wd:Organization_Data/wd:Worker_Organization_Data` +
    `[${upper("wd:Organization_Data/wd:Organization_Type_Reference/wd:ID[@wd:type='Organization_Type_ID']")}='COMPANY']` +
    '/wd:Organization_Data/wd:Organization_Name/text()',
  active: `${WORKER}/wd:Employment_Data/wd:Worker_Status_Data/wd:Active/text()`,
};

export type CompiledFieldPaths = Record<keyof SoapFieldPaths, SoapPath[]>;

/** Compiles every expression up front, so a typo fails at start-up naming the field. */
export function compileFieldPaths(overrides: Partial<SoapFieldPaths> = {}): CompiledFieldPaths {
  const paths = { ...DEFAULT_SOAP_FIELD_PATHS, ...overrides };
  const compiled = {} as CompiledFieldPaths;
  for (const field of Object.keys(DEFAULT_SOAP_FIELD_PATHS) as Array<keyof SoapFieldPaths>) {
    const expressions = ([] as string[]).concat(paths[field]);
    try {
      compiled[field] = expressions.map(compileSoapPath);
    } catch (err) {
      throw new AppError(
        'CONFIG.INVALID_CONNECTOR',
        `Invalid connector file (CONNECTOR_CONFIG): source.paths.${field}: ${(err as Error).message}`,
      );
    }
  }
  return compiled;
}

export type CountryChoice = 'businessSite' | 'home';

/** One worker as the SOAP source delivers it; absent values stay absent (never empty strings). */
export function workerRecord(worker: XmlElement, paths: CompiledFieldPaths, country: CountryChoice): RawRecord {
  const read = (field: keyof SoapFieldPaths): string | undefined => first(worker, paths[field]);
  const record: RawRecord = {};
  const assign = (name: string, value: string | undefined): void => {
    if (value !== undefined) record[name] = value;
  };
  assign('WorkerID', read('workerId'));
  assign('personalEmail', read('personalEmail'));
  assign('CountryISO', read(country === 'home' ? 'homeCountry' : 'businessSiteCountry'));
  assign('Worker_Type', workerType(present(worker, paths.employeeId), present(worker, paths.contingentWorkerId)));
  assign('Employee_Type', read('employeeType'));
  assign('Legal_Entity', read('legalEntity'));
  assign('Active', flag(read('active')));
  return record;
}

/** The worker's kind comes from the id type Workday references it by. */
function workerType(employee: boolean, contingentWorker: boolean): string | undefined {
  if (employee) return 'Employee';
  return contingentWorker ? 'Contingent_Worker' : undefined;
}

function present(worker: XmlElement, paths: readonly SoapPath[]): boolean {
  return paths.some((path) => path.select(worker).length > 0);
}

function flag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const normalized = value.trim().toLowerCase();
  if (normalized === '1' || normalized === 'true') return '1';
  if (normalized === '0' || normalized === 'false') return '0';
  return value;
}

function first(worker: XmlElement, paths: readonly SoapPath[]): string | undefined {
  for (const path of paths) {
    const value = path
      .select(worker)
      .map((text) => text.trim())
      .find((text) => text !== '');
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A worker as one Get_Workers page delivered it: its record, and what a read needs besides. */
export interface SoapWorker {
  record: RawRecord;
  /** Worker_Reference's WID: the one id every worker has, to merge reads and to look a hire up. */
  wid?: string;
  /** Worker_Status_Data/Hire_Date, as the moment that day starts. */
  hireDate?: Date;
}

export function soapWorkerOf(worker: XmlElement, paths: CompiledFieldPaths, country: CountryChoice): SoapWorker {
  const soapWorker: SoapWorker = { record: workerRecord(worker, paths, country) };
  const wid = descend(worker, 'Worker_Reference')?.children.find(
    (id) => id.name === 'ID' && id.attributes.type === 'WID',
  )?.text;
  if (wid) soapWorker.wid = wid;
  const hireDate = dateMoment(
    descend(worker, 'Worker_Data', 'Employment_Data', 'Worker_Status_Data', 'Hire_Date')?.text,
  );
  if (hireDate) soapWorker.hireDate = hireDate;
  return soapWorker;
}

/** An xsd:date (`2026-12-01-08:00`, `2026-12-01Z`, `2026-12-01`) as the moment it starts; UTC without an offset. */
export function dateMoment(text: string | undefined): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const moment = new Date(`${match[1]}T00:00:00${match[2] === undefined || match[2] === 'Z' ? '+00:00' : match[2]}`);
  return Number.isNaN(moment.getTime()) ? undefined : moment;
}
