/**
 * A small, namespace-prefix-agnostic XML tree for Workday SOAP responses. Workday answers with
 * `env:`/`wd:` today, but nothing promises those prefixes (faults use `SOAP-ENV:`, a proxy may
 * rewrite them), so elements and attributes are known by their local names only.
 *
 * Parsed with saxes, a conformant (non-validating) XML 1.0 parser: a page of 999 workers parses
 * in about a quarter of the time fast-xml-parser's ordered mode took, and well-formedness comes
 * with it: a body cut off mid-stream, an undefined entity or a character reference outside
 * Unicode (`&#x110000;`) is a parse failure here, never a half-read page or an exception later.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';

export interface XmlElement {
  /** Local name, without any prefix. */
  name: string;
  /** Attributes by local name (`wd:type` → `type`); namespace declarations are dropped. */
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (its direct text nodes, each trimmed, joined). */
  text: string;
}

export type XmlParse =
  | { ok: true; root: XmlElement }
  /** `incomplete`: the text stopped before the document did (a cut body, worth a retry). */
  | { ok: false; problem: string; incomplete: boolean };

export function parseXml(text: string): XmlParse {
  const stream = xmlStream();
  stream.write(text);
  return stream.end();
}

/** Elements handed over as soon as they close, instead of being kept in the tree. */
export interface Detach {
  /** Local name of the element (`Worker`) … */
  name: string;
  /** … and of its parent (`Response_Data`). */
  parent: string;
  onElement(element: XmlElement): void;
}

export interface XmlStream {
  /** Feeds the next piece of text; after a parse error the rest is ignored. */
  write(chunk: string): void;
  end(): XmlParse;
}

/**
 * A parse fed piece by piece as the body arrives. With `detach`, each matching element is built,
 * handed over and dropped: a page of 999 workers never exists as one tree, which keeps the heap
 * of a 100k-worker read flat.
 */
/** saxes' message for a raw character outside XML 1.0's Char production (in content). */
const TOLERATED_CHARACTER_ERROR = 'disallowed character.';

export function xmlStream(detach?: Detach): XmlStream {
  const parser = new SaxesParser({ xmlns: false, position: false });
  const document: XmlElement = { name: '', attributes: {}, children: [], text: '' };
  const open: XmlElement[] = [document];
  let current = document;
  let failure: string | undefined;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const element: XmlElement = {
      name: localName(tag.name),
      attributes: attributesOf(tag.attributes),
      children: [],
      text: '',
    };
    const detached = detach !== undefined && element.name === detach.name && current.name === detach.parent;
    if (!detached) current.children.push(element);
    open.push(element);
    current = element;
  });
  parser.on('closetag', () => {
    const closed = open.pop() as XmlElement;
    current = open[open.length - 1] as XmlElement;
    if (detach !== undefined && closed.name === detach.name && current.name === detach.parent) detach.onElement(closed);
  });
  // A raw character XML 1.0 does not allow (a control character in one worker's data) keeps the
  // page readable: the character stays in that value, and validation refuses that one record.
  // Anything else that is not well-formed (a broken structure, `&#x110000;`) fails the page.
  parser.on('error', (err: Error) => {
    if (err.message === TOLERATED_CHARACTER_ERROR || err.message.endsWith(`: ${TOLERATED_CHARACTER_ERROR}`)) return;
    failure ??= err.message;
  });
  parser.on('text', (value: string) => {
    const trimmed = value.trim();
    if (trimmed !== '') current.text += trimmed;
  });
  return {
    write(chunk) {
      if (failure !== undefined) return;
      try {
        parser.write(chunk);
      } catch (err) {
        failure ??= (err as Error).message;
      }
    },
    end() {
      if (failure !== undefined) return { ok: false, problem: failure, incomplete: false };
      try {
        parser.close();
      } catch (err) {
        // Only the end of input was wrong: the document had not finished.
        return { ok: false, problem: (err as Error).message, incomplete: true };
      }
      // With an error handler the parser reports instead of throwing: an unfinished document too.
      if (failure !== undefined) return { ok: false, problem: failure, incomplete: true };
      const root = document.children[0];
      return root ? { ok: true, root } : { ok: false, problem: 'no root element', incomplete: true };
    },
  };
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function attributesOf(raw: Record<string, string>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const name in raw) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    attributes[localName(name)] = raw[name] as string;
  }
  return attributes;
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
