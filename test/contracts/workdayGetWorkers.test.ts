/**
 * Every Get_Workers envelope the SOAP source builds, checked against Workday's published
 * Human_Resources schema (the facts kept in workdayGetWorkers.json, whose `source` names the file
 * and commit): each element exists in its parent's type, in the schema's order, no more often
 * than allowed, with a value of its type, and each attribute is declared. A request naming an
 * element or attribute the schema lacks fails here before it fails in a tenant.
 */
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  type Credentials,
  type WorkerIdType,
  workerLookupEnvelope,
  workersPageEnvelope,
} from '../../src/workday/soapEnvelope';
import schema from './workdayGetWorkers.json';

interface Particle {
  name: string;
  type: string;
  minOccurs: number;
  maxOccurs: number | 'unbounded';
}
interface ComplexType {
  sequence?: Particle[];
  text?: string;
  attributes?: Record<string, string>;
}
type Node = Record<string, unknown>;

const TYPES = schema.types as Record<string, ComplexType>;
/** Sent on purpose against the schema's type, as Microsoft's Workday connector sends it (docs/design.md). */
const KNOWN_TYPE_DEVIATIONS: Record<string, string> = { As_Of_Effective_Date: 'xsd:dateTime' };

const SIMPLE: Record<string, RegExp> = {
  'xsd:boolean': /^(true|false|1|0)$/,
  'xsd:dateTime': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  'xsd:date': /^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/,
  'xsd:decimal': /^-?\d+(\.\d+)?$/,
  'xsd:string': /^[\s\S]*$/,
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
});

const local = (name: string): string => name.slice(name.indexOf(':') + 1);

/** The element's children (tag, node) in document order, without text or attribute entries. */
function childrenOf(node: Node, tag: string): Array<[string, Node]> {
  const content = node[tag] as Node[];
  return content.flatMap((child) => {
    const name = Object.keys(child).find((key) => key !== ':@');
    return name && name !== '#text' ? [[name, child] as [string, Node]] : [];
  });
}

function textOf(node: Node, tag: string): string {
  const content = node[tag] as Node[];
  return content.map((child) => (typeof child['#text'] === 'string' ? child['#text'] : '')).join('');
}

/** Every violation of the schema under `node` (an element of complex type `typeName`). */
function violations(node: Node, tag: string, typeName: string, path: string): string[] {
  const type = TYPES[typeName];
  if (!type) return [`${path}: type ${typeName} is not among the kept schema facts`];
  const problems: string[] = [];
  const attributes = (node[':@'] ?? {}) as Record<string, string>;
  for (const name of Object.keys(attributes)) {
    if (name.startsWith('xmlns')) continue;
    if (!type.attributes || !(local(name) in type.attributes))
      problems.push(`${path}: attribute ${local(name)} is not declared on ${typeName}`);
  }
  if (type.text) return problems;
  const sequence = type.sequence ?? [];
  let position = 0;
  const counts = new Map<string, number>();
  for (const [childTag, child] of childrenOf(node, tag)) {
    const name = local(childTag);
    const index = sequence.findIndex((particle) => particle.name === name);
    const childPath = `${path}/${name}`;
    if (index === -1) {
      problems.push(`${childPath}: ${typeName} has no element ${name}`);
      continue;
    }
    if (index < position) problems.push(`${childPath}: out of the schema's order in ${typeName}`);
    position = index;
    const particle = sequence[index]!;
    const count = (counts.get(name) ?? 0) + 1;
    counts.set(name, count);
    if (particle.maxOccurs !== 'unbounded' && count > particle.maxOccurs)
      problems.push(`${childPath}: more than ${particle.maxOccurs} in ${typeName}`);
    if (particle.type.startsWith('xsd:')) {
      const expected = KNOWN_TYPE_DEVIATIONS[name] ?? particle.type;
      const value = textOf(child, childTag);
      if (!SIMPLE[expected]?.test(value)) problems.push(`${childPath}: '${value}' is not ${expected}`);
    } else problems.push(...violations(child, childTag, particle.type, childPath));
  }
  for (const particle of sequence)
    if (particle.minOccurs > 0 && !counts.has(particle.name))
      problems.push(`${path}: ${typeName} requires ${particle.name}`);
  return problems;
}

function checkEnvelope(xml: string): string[] {
  const document = parser.parse(xml) as Node[];
  const envelope = document.find((node) => 'soapenv:Envelope' in node)!;
  const body = childrenOf(envelope, 'soapenv:Envelope').find(([tag]) => tag === 'soapenv:Body')![1];
  const [[tag, request]] = childrenOf(body, 'soapenv:Body') as [[string, Node]];
  expect(local(tag)).toBe(schema.root.element);
  return violations(request, tag, schema.root.type, local(tag));
}

const CREDENTIALS: Credentials = { username: 'ISU_Entra@contoso', password: 'p<&>"' };
const AS_OF = new Date('2026-11-26T22:00:00Z');
const FROM = new Date('2026-11-26T21:00:00Z');

const ENVELOPES: Array<[string, string]> = [
  ['a full read page', workersPageEnvelope(CREDENTIALS, { page: 1, count: 100, asOf: AS_OF }, 'v44.2')],
  [
    'a full read of active workers',
    workersPageEnvelope(CREDENTIALS, { page: 2, count: 999, asOf: AS_OF, excludeInactive: true }, 'v44.2'),
  ],
  [
    'an incremental read (entered)',
    workersPageEnvelope(CREDENTIALS, {
      page: 1,
      count: 100,
      asOf: AS_OF,
      window: { kind: 'entered', from: FROM, through: AS_OF },
      excludeInactive: true,
    }),
  ],
  [
    'an incremental read (effective)',
    workersPageEnvelope(CREDENTIALS, {
      page: 3,
      count: 100,
      asOf: AS_OF,
      window: { kind: 'effective', from: FROM, through: AS_OF },
    }),
  ],
  ...(['Employee_ID', 'Contingent_Worker_ID', 'WID'] as WorkerIdType[]).map((idType): [string, string] => [
    `a lookup by ${idType}`,
    workerLookupEnvelope(CREDENTIALS, idType, '21001', 'v44.2'),
  ]),
  [
    'a future hire viewed on its hire date',
    workerLookupEnvelope(CREDENTIALS, 'WID', 'abc123', 'v44.2', new Date('2027-01-04T00:00:00Z')),
  ],
];

describe('Get_Workers requests against the Human_Resources schema', () => {
  it.each(ENVELOPES)('%s names only elements and attributes the schema has, in its order', (_what, xml) => {
    expect(checkEnvelope(xml)).toEqual([]);
  });

  it('asks for the Exclude_* flags Microsoft’s Workday connector sends, and keeps the companies', () => {
    const xml = ENVELOPES[0]![1];
    for (const flag of [
      'Exclude_Organization_Support_Role_Data',
      'Exclude_Location_Hierarchies',
      'Exclude_Gift_Hierarchies',
    ])
      expect(xml).toContain(`<bsvc:${flag}>true</bsvc:${flag}>`);
    expect(xml).not.toContain('Exclude_Companies');
  });

  it('fails a request that names an element the schema lacks, or breaks its order', () => {
    const xml = ENVELOPES[0]![1];
    expect(checkEnvelope(xml.replaceAll('Include_Reference>', 'Include_Referencez>'))).toEqual([
      expect.stringContaining('has no element Include_Referencez'),
    ]);
    const swapped = xml.replace(
      /(<bsvc:Include_Reference>true<\/bsvc:Include_Reference>)(<bsvc:Include_Personal_Information>true<\/bsvc:Include_Personal_Information>)/,
      '$2$1',
    );
    expect(checkEnvelope(swapped)).toEqual([expect.stringContaining('out of the schema')]);
  });
});
