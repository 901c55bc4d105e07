/**
 * A small, namespace-prefix-agnostic XML tree for Workday SOAP responses. Workday answers with
 * `env:`/`wd:` today, but nothing promises those prefixes (faults use `SOAP-ENV:`, a proxy may
 * rewrite them), so elements and attributes are known by their local names only.
 */
import { XMLParser } from 'fast-xml-parser';

export interface XmlElement {
  /** Local name, without any prefix. */
  name: string;
  /** Attributes by local name (`wd:type` → `type`); namespace declarations are dropped. */
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (its direct text nodes joined). */
  text: string;
}

type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  // Ids such as 007 and flags such as 1 must stay text.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Decoded below, only where a value holds an '&': a third of the parse time on a 999-worker page.
  processEntities: false,
});

/**
 * The document element, or null when the text is not a complete XML document (an HTML page, a
 * body cut off mid-stream). Completeness is judged by the document ending with its root's end
 * tag rather than by a full validation pass, which would double the cost of every page; Workday
 * writes well-formed XML, what goes wrong in practice is a body that stops.
 */
export function parseXml(text: string): XmlElement | null {
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch {
    return null;
  }
  const root = toElements(nodes).find((element) => !element.name.startsWith('?') && !element.name.startsWith('!'));
  if (!root || !endsWithEndTag(text, root.name)) return null;
  return root;
}

function endsWithEndTag(text: string, name: string): boolean {
  const escaped = name.replace(/[.-]/g, '\\$&');
  return new RegExp(`</(?:[\\w.-]+:)?${escaped}\\s*>\\s*$`).test(text.slice(-300));
}

function toElements(nodes: readonly OrderedNode[]): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text');
    if (name === undefined) continue;
    const content = (node[name] ?? []) as OrderedNode[];
    const attributes = (node[':@'] ?? {}) as Record<string, unknown>;
    elements.push({
      name,
      attributes: Object.fromEntries(Object.entries(attributes).filter(([key]) => !key.startsWith('xmlns')).map(([key, value]) => [key, decodeEntities(String(value))])),
      children: toElements(content),
      text: decodeEntities(content.map((part) => (part['#text'] === undefined ? '' : String(part['#text']))).join('')),
    });
  }
  return elements;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five XML entities and numeric references (Workday writes `&#xa;` in formatted addresses). */
function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (match, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return NAMED_ENTITIES[entity] ?? match;
  });
}

export function childElement(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return parent?.children.find((child) => child.name === name);
}

export function childElements(parent: XmlElement | undefined, name: string): XmlElement[] {
  return parent?.children.filter((child) => child.name === name) ?? [];
}

/** XPath string-value: the element's text and all of its descendants' text, in document order. */
export function stringValue(element: XmlElement): string {
  return element.text + element.children.map(stringValue).join('');
}

/** Follows a path of local names from `parent`, first match at each step. */
export function descend(parent: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  return names.reduce<XmlElement | undefined>((element, name) => childElement(element, name), parent);
}
