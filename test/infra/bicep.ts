/**
 * Reading Bicep without the Bicep compiler (not installable here): tree-sitter-bicep parses each
 * file, and these helpers pull out what the checks need. Small on purpose: each helper answers
 * one question a test asks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(__filename);

export interface SyntaxNode {
  type: string;
  text: string;
  isMissing: boolean;
  startPosition: { row: number; column: number };
  children: SyntaxNode[];
  namedChildren: SyntaxNode[];
  previousNamedSibling: SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
}

interface Parser {
  setLanguage(language: unknown): void;
  parse(source: string): { rootNode: SyntaxNode };
}

const ParserClass = require('tree-sitter') as new () => Parser;
const parser = new ParserClass();
parser.setLanguage(require('tree-sitter-bicep'));

export const INFRA = resolve(__dirname, '../../infra');

export function parseBicep(source: string): SyntaxNode {
  return parser.parse(source).rootNode;
}

export function parseBicepFile(path: string): SyntaxNode {
  return parseBicep(readFileSync(path, 'utf8'));
}

/** Every file under a directory whose name ends with the extension, sorted. */
export function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesUnder(join(dir, entry.name), extension)
        : entry.name.endsWith(extension)
          ? [join(dir, entry.name)]
          : [],
    )
    .sort();
}

/** `line:column kind text` for every ERROR or MISSING node (1-based positions). */
export function syntaxProblems(root: SyntaxNode): string[] {
  const problems: string[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      const kind = node.isMissing ? `missing ${node.type}` : 'syntax error';
      problems.push(
        `${node.startPosition.row + 1}:${node.startPosition.column + 1} ${kind} near ${JSON.stringify(node.text.slice(0, 40))}`,
      );
    }
    node.children.forEach(visit);
  };
  visit(root);
  return problems;
}

export function descendants(node: SyntaxNode, type: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    if (n.type === type) found.push(n);
    n.children.forEach(visit);
  };
  visit(node);
  return found;
}

/** The text of a plain string literal, or null when it interpolates. */
export function stringValue(node: SyntaxNode | undefined | null): string | null {
  if (node?.type !== 'string') return null;
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return null;
  return node.namedChildren
    .filter((c) => c.type === 'string_content' || c.type === 'escape_sequence')
    .map((c) => c.text)
    .join('');
}

function nameOf(declaration: SyntaxNode): string {
  return declaration.namedChildren.find((c) => c.type === 'identifier')?.text ?? '';
}

/** The key of an object property (identifier or quoted). */
export function propertyKey(property: SyntaxNode): string {
  const key = property.namedChildren[0]!;
  return key.type === 'string' ? (stringValue(key) ?? key.text) : key.text;
}

/** The value node of an object property. */
export function propertyValue(property: SyntaxNode): SyntaxNode {
  return property.namedChildren[property.namedChildren.length - 1]!;
}

export function objectProperties(object: SyntaxNode): SyntaxNode[] {
  return object.namedChildren.filter((c) => c.type === 'object_property');
}

export interface ParamInfo {
  name: string;
  hasDefault: boolean;
  decorators: string[];
  description: string | null;
}

export function params(root: SyntaxNode): ParamInfo[] {
  return root.namedChildren
    .filter((n) => n.type === 'parameter_declaration')
    .map((declaration) => {
      const decorators =
        declaration.previousNamedSibling?.type === 'decorators' ? declaration.previousNamedSibling.namedChildren : [];
      const calls = decorators.map((d) => d.namedChildren[0]!).filter((c) => c.type === 'call_expression');
      const description = calls.find((c) => c.childForFieldName('function')?.text === 'description');
      return {
        name: nameOf(declaration),
        hasDefault: declaration.children.some((c) => c.type === '='),
        decorators: calls.map((c) => c.childForFieldName('function')?.text ?? ''),
        description: description ? stringValue(description.childForFieldName('arguments')?.namedChildren[0]) : null,
      };
    });
}

export function outputs(root: SyntaxNode): string[] {
  return root.namedChildren.filter((n) => n.type === 'output_declaration').map(nameOf);
}

export function variable(root: SyntaxNode, name: string): SyntaxNode | undefined {
  const declaration = root.namedChildren.find((n) => n.type === 'variable_declaration' && nameOf(n) === name);
  return declaration?.namedChildren[declaration.namedChildren.length - 1];
}

export interface ModuleInfo {
  symbol: string;
  path: string;
  params: string[];
}

export function modules(root: SyntaxNode): ModuleInfo[] {
  return root.namedChildren
    .filter((n) => n.type === 'module_declaration')
    .map((declaration) => {
      const body = descendants(declaration, 'object')[0]!;
      const paramsProperty = objectProperties(body).find((p) => propertyKey(p) === 'params');
      return {
        symbol: nameOf(declaration),
        path: stringValue(declaration.namedChildren.find((c) => c.type === 'string')) ?? '',
        params: paramsProperty ? objectProperties(propertyValue(paramsProperty)).map(propertyKey) : [],
      };
    });
}

/** The first string argument of every call to a function (e.g. loadTextContent paths). */
export function callArguments(root: SyntaxNode, functionName: string): string[] {
  return descendants(root, 'call_expression')
    .filter((call) => call.childForFieldName('function')?.text === functionName)
    .map((call) => stringValue(call.childForFieldName('arguments')?.namedChildren[0]))
    .filter((value): value is string => value !== null);
}

/** `symbol.outputs.name` references, as [symbol, name]. */
export function outputReferences(root: SyntaxNode): Array<[string, string]> {
  return descendants(root, 'member_expression')
    .filter((m) => m.childForFieldName('object')?.type === 'member_expression')
    .map((m) => [m.childForFieldName('object')!, m.childForFieldName('property')!.text] as const)
    .filter(
      ([inner]) =>
        inner.childForFieldName('property')?.text === 'outputs' &&
        inner.childForFieldName('object')?.type === 'identifier',
    )
    .map(([inner, name]) => [inner.childForFieldName('object')!.text, name]);
}
