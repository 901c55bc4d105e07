/**
 * The KQL as Azure receives it: read out of the Bicep that deploys it (alerts.bicep,
 * workbook.bicep), with each `{{PLACEHOLDER}}` replaced by the expression the Bicep gives, for
 * parameter values main.bicep can pass. A small evaluator covers the Bicep these files use
 * (loadTextContent, replace, string, union, arithmetic, `!`, `? :`, variables and parameters).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  descendants,
  INFRA,
  modules,
  objectProperties,
  parseBicepFile,
  propertyKey,
  propertyValue,
  stringValue,
  variable,
  type SyntaxNode,
} from './bicep';

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface Scope {
  file: string;
  root: SyntaxNode;
  params: Record<string, Value>;
}

export function evaluate(node: SyntaxNode, scope: Scope): Value {
  switch (node.type) {
    case 'string':
      return stringValue(node);
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'parenthesized_expression':
      return evaluate(node.namedChildren[0]!, scope);
    case 'array':
      return node.namedChildren.map((item) => evaluate(item, scope));
    case 'object':
      return Object.fromEntries(objectProperties(node).map((p) => [propertyKey(p), evaluate(propertyValue(p), scope)]));
    case 'identifier': {
      if (node.text in scope.params) return scope.params[node.text]!;
      const declared = variable(scope.root, node.text);
      return declared ? evaluate(declared, scope) : null;
    }
    case 'binary_expression': {
      const [left, right] = node.namedChildren.map((c) => evaluate(c, scope));
      const operator = node.children[1]!.text;
      if (typeof left !== 'number' || typeof right !== 'number') return null;
      return operator === '*' ? left * right : operator === '+' ? left + right : operator === '-' ? left - right : null;
    }
    case 'call_expression':
      return call(node, scope);
    case 'unary_expression': {
      const operand = evaluate(node.namedChildren[0]!, scope);
      return node.children[0]!.text === '!' && typeof operand === 'boolean' ? !operand : null;
    }
    case 'ternary_expression': {
      const [condition, whenTrue, whenFalse] = node.namedChildren;
      const chosen = evaluate(condition!, scope);
      return typeof chosen === 'boolean' ? evaluate(chosen ? whenTrue! : whenFalse!, scope) : null;
    }
    case 'member_expression':
      return { reference: node.text }; // a resource's id and the like: known only at deployment
    default:
      return null; // nothing else is needed to rebuild a query
  }
}

function call(node: SyntaxNode, scope: Scope): Value {
  const name = node.childForFieldName('function')?.text;
  const args = (node.childForFieldName('arguments')?.namedChildren ?? []).map((a) => evaluate(a, scope));
  if (name === 'loadTextContent' && typeof args[0] === 'string')
    return readFileSync(resolve(dirname(scope.file), args[0]), 'utf8');
  if (name === 'replace' && args.every((a) => typeof a === 'string'))
    return (args[0] as string).split(args[1] as string).join(args[2] as string);
  if (name === 'string' && args[0] !== null && typeof args[0] !== 'object') return String(args[0]);
  if (name === 'union' && args.every((a) => a !== null && typeof a === 'object' && !Array.isArray(a)))
    return Object.assign({}, ...args);
  return null;
}

const MAIN = join(INFRA, 'main.bicep');

/** What main.bicep can pass to a module's int parameters: its defaults, or each at its @maxValue. */
export function moduleParams(modulePath: string, at: 'default' | 'maximum'): Record<string, number | null> {
  const root = parseBicepFile(MAIN);
  const mainParams = Object.fromEntries(
    root.namedChildren
      .filter((n) => n.type === 'parameter_declaration')
      .map((declaration) => {
        const name = declaration.namedChildren[0]!.text;
        const value = declaration.namedChildren.find((c, i) => i > 0 && c.type === 'number');
        const decorators =
          declaration.previousNamedSibling?.type === 'decorators'
            ? descendants(declaration.previousNamedSibling, 'call_expression')
            : [];
        const maxValue = decorators.find((d) => d.childForFieldName('function')?.text === 'maxValue');
        const chosen = at === 'maximum' && maxValue ? maxValue.childForFieldName('arguments')!.namedChildren[0] : value;
        return [name, chosen ? Number(chosen.text) : null];
      }),
  );
  const symbol = modules(root).find((m) => m.path === modulePath)?.symbol;
  const declaration = root.namedChildren.find(
    (n) => n.type === 'module_declaration' && n.namedChildren[0]?.text === symbol,
  );
  if (!declaration) throw new Error(`main.bicep deploys no module ${modulePath}`);
  const paramsObject = objectProperties(descendants(declaration, 'object')[0]!).find(
    (p) => propertyKey(p) === 'params',
  )!;
  const mainScope: Scope = { file: MAIN, root, params: mainParams };
  return Object.fromEntries(
    objectProperties(propertyValue(paramsObject)).map((p) => {
      const value = evaluate(propertyValue(p), mainScope);
      return [propertyKey(p), typeof value === 'number' ? value : null];
    }),
  );
}

export interface DeployedQuery {
  /** e.g. `alerts/no-successful-cycle` */
  id: string;
  query: string;
  /** The query's own object in the Bicep, evaluated (window, frequency, …). */
  settings: Record<string, Value>;
}

/** The log search alert rules' queries (the `rules` variable of alerts.bicep). */
export function alertQueries(at: 'default' | 'maximum' = 'default'): DeployedQuery[] {
  const file = join(INFRA, 'app/alerts.bicep');
  const root = parseBicepFile(file);
  const rules = evaluate(variable(root, 'rules')!, {
    file,
    root,
    params: moduleParams('app/alerts.bicep', at),
  }) as Array<Record<string, Value>>;
  return rules.map((rule) => ({ id: `alerts/${String(rule.name)}`, query: String(rule.query), settings: rule }));
}

/** The workbook's query items (type 3) with the defaults they are merged with. */
export function workbookQueries(): DeployedQuery[] {
  const file = join(INFRA, 'app/workbook.bicep');
  const root = parseBicepFile(file);
  const items = evaluate(variable(root, 'items')!, { file, root, params: {} }) as Array<Record<string, Value>>;
  return items
    .filter((item) => item.type === 3)
    .map((item) => {
      const content = item.content as Record<string, Value>;
      return { id: `workbook/${String(item.name)}`, query: String(content.query), settings: content };
    });
}

/** The workbook's parameters (type 9 items), by name. */
export function workbookParameters(): Record<string, Record<string, Value>> {
  const file = join(INFRA, 'app/workbook.bicep');
  const root = parseBicepFile(file);
  const items = evaluate(variable(root, 'items')!, { file, root, params: {} }) as Array<{
    type: number;
    content: { parameters?: Array<Record<string, Value>> };
  }>;
  const parameters = items.filter((item) => item.type === 9).flatMap((item) => item.content.parameters ?? []);
  return Object.fromEntries(parameters.map((p) => [String(p.name), p]));
}

/** The time ranges a workbook query can be given: its parameter's choices, in minutes. */
export function workbookTimeRanges(): Record<string, number[]> {
  const parameters = Object.values(workbookParameters()).filter((p) => p.typeSettings);
  return Object.fromEntries(
    parameters.map((p) => {
      const choices = (
        (p.typeSettings as { selectableValues?: Array<{ durationMs: number }> }).selectableValues ?? []
      ).map((v) => v.durationMs / 60_000);
      return [String(p.name), choices];
    }),
  );
}

/** `PT15M`, `PT1H`, `P2D` in minutes. */
export function isoMinutes(duration: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T'))
    throw new Error(`not an ISO 8601 duration of days, hours and minutes: ${duration}`);
  const [, days = '0', hours = '0', minutes = '0'] = match;
  return Number(days) * 1440 + Number(hours) * 60 + Number(minutes);
}

export interface ResourceDeclaration {
  symbol: string;
  type: string;
  existing: boolean;
  /** The body object (of each copy, for a `[for …]` resource). */
  body: SyntaxNode;
}

export function resources(file: string): ResourceDeclaration[] {
  return parseBicepFile(join(INFRA, file))
    .namedChildren.filter((n) => n.type === 'resource_declaration')
    .map((declaration) => ({
      symbol: declaration.namedChildren[0]!.text,
      type: (stringValue(declaration.namedChildren[1]) ?? '').split('@')[0]!,
      existing: declaration.children.some((c) => c.type === 'existing'),
      body: descendants(declaration, 'object')[0]!,
    }));
}

/** The value node at a path of property keys in an object (`['properties', 'scopes']`). */
export function propertyAt(object: SyntaxNode, path: string[]): SyntaxNode | null {
  let node: SyntaxNode | null = object;
  for (const key of path) {
    const property: SyntaxNode | undefined =
      node?.type === 'object' ? objectProperties(node).find((p) => propertyKey(p) === key) : undefined;
    node = property ? propertyValue(property) : null;
  }
  return node;
}

/** The KQL examples of the deploy guide, which an operator copies into the Logs pane. */
export function deployGuideExamples(): DeployedQuery[] {
  const guide = readFileSync(join(INFRA, '../docs/deploy.md'), 'utf8');
  return [...guide.matchAll(/```kusto\n([\s\S]*?)```/g)].map((m, i) => ({
    id: `docs/deploy.md example ${i + 1}`,
    query: m[1]!,
    settings: {},
  }));
}
