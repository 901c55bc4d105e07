/**
 * KQL read by Kusto's own language service (`@kusto/language-service-next`, Kusto.Language
 * compiled to JavaScript): it parses a query offline and, given the tables of a database, binds
 * every table, column and function, as the service would before running it. The package defines
 * one global `Kusto` namespace; the few members the checks use are typed here.
 */
import { createRequire } from 'node:module';
import { APP_INSIGHTS_TABLES } from './appInsightsSchema';

const require = createRequire(__filename);

interface List<T> {
  Count: number;
  getItem(index: number): T;
}

interface Diagnostic {
  Severity: string;
  Code: string;
  Start: number;
  Message: string;
}

interface KustoSymbol {
  Name: string;
  ConstantValue?: unknown;
}

/** Any syntax node; the fields below exist only on the node types named beside them. */
export interface KqlNode {
  Kind: number;
  ToString(): string;
  ConstantValue: unknown;
  ReferencedSymbol: KustoSymbol | null;
  Parent: KqlNode | null;
  WalkElements(action: (element: KqlNode) => void): void;
  /** PathExpression, ElementExpression, BracketedExpression, PipeExpression, ParenthesizedExpression */
  Expression: KqlNode;
  /** PathExpression, ElementExpression */
  Selector: KqlNode;
  /** PipeExpression */
  Operator: KqlNode;
  /** BinaryExpression, InExpression */
  Left: KqlNode;
  Right: KqlNode;
  /** NameReference */
  SimpleName: string;
  /** FunctionCallExpression */
  Name: KqlNode;
  ArgumentList: KqlNode;
  /** ExpressionList */
  Expressions: List<{ Element$1: KqlNode }>;
}

interface KustoCode {
  Syntax: KqlNode;
  GetDiagnostics(): List<Diagnostic>;
}

interface KustoLanguage {
  GlobalState: { Default: { WithDatabase(database: unknown): unknown } };
  KustoCode: { ParseAndAnalyze(text: string, globals: unknown): KustoCode };
  Symbols: {
    TableSymbol: { $ctor7: new (name: string, schema: string, description: string | null) => unknown };
    DatabaseSymbol: { ctor: new (name: string, members: unknown[]) => unknown };
  };
  Syntax: Record<string, (abstract new (...args: never[]) => unknown) & { prototype: unknown }> & {
    SyntaxKind: Record<string, number>;
  };
}

require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
const kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
const { Syntax } = kusto;
const kind = Syntax.SyntaxKind;

/** A database holding the Application Insights tables, as a query on the component sees them. */
export const appInsightsGlobals = kusto.GlobalState.Default.WithDatabase(
  new kusto.Symbols.DatabaseSymbol.ctor(
    'ApplicationInsights',
    Object.entries(APP_INSIGHTS_TABLES).map(
      ([name, columns]) => new kusto.Symbols.TableSymbol.$ctor7(name, `(${columns.join(', ')})`, null),
    ),
  ),
);

export interface AnalyzedQuery {
  syntax: KqlNode;
  /** `line:column code message` for every error the service reports (1-based positions). */
  errors: string[];
}

export function analyzeKql(text: string): AnalyzedQuery {
  const code = kusto.KustoCode.ParseAndAnalyze(text, appInsightsGlobals);
  const errors: string[] = [];
  const diagnostics = code.GetDiagnostics();
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity !== 'Error') continue;
    const before = text.slice(0, d.Start).split('\n');
    errors.push(`${before.length}:${before[before.length - 1]!.length + 1} ${d.Code} ${d.Message}`);
  }
  return { syntax: code.Syntax, errors };
}

const is = (node: KqlNode | null | undefined, type: string): boolean =>
  !!node && node instanceof (Syntax[type] as unknown as abstract new () => unknown);

function descendants(root: KqlNode, type: string): KqlNode[] {
  const found: KqlNode[] = [];
  root.WalkElements((element) => {
    if (is(element, type)) found.push(element);
  });
  return found;
}

/** The string literal a node stands for, or null. */
function stringConstant(node: KqlNode | null | undefined): string | null {
  if (!node) return null;
  if (is(node, 'ParenthesizedExpression') || is(node, 'BracketedExpression')) return stringConstant(node.Expression);
  return typeof node.ConstantValue === 'string' ? node.ConstantValue : null;
}

/** `bag.field` or `bag['field']` for a dynamic column of the table; else null. */
function bagField(node: KqlNode, bag: string): string | null {
  if (
    (is(node, 'PathExpression') || is(node, 'ElementExpression')) &&
    is(node.Expression, 'NameReference') &&
    node.Expression.SimpleName === bag
  ) {
    return is(node.Selector, 'NameReference') ? node.Selector.SimpleName : stringConstant(node.Selector);
  }
  return null;
}

/** Strips the conversions a query wraps a dynamic field in (`tostring(customDimensions.x)`). */
function unwrapConversion(node: KqlNode): KqlNode {
  if (
    is(node, 'FunctionCallExpression') &&
    /^to(string|int|long|real|double|bool)$/.test(node.Name.SimpleName) &&
    node.ArgumentList.Expressions.Count === 1
  ) {
    return node.ArgumentList.Expressions.getItem(0).Element$1;
  }
  return is(node, 'ParenthesizedExpression') ? unwrapConversion(node.Expression) : node;
}

/** One tabular pipeline that starts from a table, and what it reads of that table. */
export interface TableRead {
  table: string;
  /** Values of the table's `name` column the pipeline keeps (`name == '…'`, `name in (…)`); empty: all. */
  names: string[];
  dimensions: string[];
  measurements: string[];
  /**
   * String literals compared with a custom dimension: `tostring(customDimensions.kind) == 'cycle'`
   * (or `in`) keeps only such records; `!=` (or `!in`) only names a value.
   */
  dimensionValues: Array<{ dimension: string; values: string[]; keeps: boolean }>;
}

const KEEPING = ['EqualExpression', 'InExpression'];
const COMPARISONS = [...KEEPING, 'NotEqualExpression', 'NotInExpression'];

/** The pipelines of a query, each from its table (`customEvents | where … | extend …`). */
export function tableReads(syntax: KqlNode): TableRead[] {
  const reads: TableRead[] = [];
  for (const pipe of descendants(syntax, 'PipeExpression')) {
    if (is(pipe.Parent, 'PipeExpression') && pipe.Parent!.Expression === pipe) continue; // not the chain's end
    const operators: KqlNode[] = [];
    let source: KqlNode = pipe;
    while (is(source, 'PipeExpression')) {
      operators.push(source.Operator);
      source = source.Expression;
    }
    if (!is(source, 'NameReference') || !(source.SimpleName in APP_INSIGHTS_TABLES)) continue;
    const read: TableRead = {
      table: source.SimpleName,
      names: [],
      dimensions: [],
      measurements: [],
      dimensionValues: [],
    };
    for (const operator of operators) collectReads(operator, read);
    reads.push(read);
  }
  return reads;
}

function collectReads(operator: KqlNode, read: TableRead): void {
  operator.WalkElements((node) => {
    if (is(node, 'PipeExpression')) return; // a nested pipeline is a read of its own
    const dimension = bagField(node, 'customDimensions');
    if (dimension !== null) read.dimensions.push(dimension);
    const measurement = bagField(node, 'customMeasurements');
    if (measurement !== null) read.measurements.push(measurement);
    if (!COMPARISONS.some((type) => node.Kind === kind[type])) return;
    const literals = is(node.Right, 'ExpressionList')
      ? Array.from({ length: node.Right.Expressions.Count }, (_, i) =>
          stringConstant(node.Right.Expressions.getItem(i).Element$1),
        )
      : [stringConstant(node.Right)];
    const values = literals.filter((v): v is string => v !== null);
    const left = unwrapConversion(node.Left);
    if (is(left, 'NameReference') && left.SimpleName === 'name' && left.ReferencedSymbol?.Name === 'name')
      read.names.push(...values);
    const compared = bagField(left, 'customDimensions');
    const keeps = KEEPING.some((type) => node.Kind === kind[type]);
    if (compared !== null) read.dimensionValues.push({ dimension: compared, values, keeps });
  });
}

/**
 * The look-back of every `ago(…)` in the query, in minutes: a timespan literal, or a product of
 * numbers, timespans and `let` constants (`ago(staleAfterMinutes * 1m)`). Anything else throws,
 * so a query cannot grow a look-back the window check cannot see.
 */
export function agoMinutes(syntax: KqlNode): number[] {
  return descendants(syntax, 'FunctionCallExpression')
    .filter((call) => call.Name.SimpleName === 'ago')
    .map((call) => minutesOf(call.ArgumentList.Expressions.getItem(0).Element$1, call));
}

function minutesOf(node: KqlNode, call: KqlNode): number {
  const value = constantOf(node);
  if (value === null || typeof value === 'number') throw new Error(`cannot read the look-back of ${call.ToString()}`);
  return value.minutes;
}

type Constant = number | { minutes: number } | null;

function constantOf(node: KqlNode): Constant {
  if (is(node, 'ParenthesizedExpression')) return constantOf(node.Expression);
  const fromValue = (value: unknown): Constant => {
    if (typeof value === 'number') return value;
    // Bridge.NET boxes a timespan as System.TimeSpan and a long as System.Int64.
    const boxed = value as { getTotalMinutes?: () => number; toNumber?: () => number } | null;
    if (typeof boxed?.getTotalMinutes === 'function') return { minutes: boxed.getTotalMinutes() };
    return typeof boxed?.toNumber === 'function' ? boxed.toNumber() : null;
  };
  if (is(node, 'NameReference')) return fromValue(node.ReferencedSymbol?.ConstantValue) ?? letValue(node);
  if (is(node, 'LiteralExpression')) return fromValue(node.ConstantValue);
  if (node.Kind === kind.MultiplyExpression) {
    const [left, right] = [constantOf(node.Left), constantOf(node.Right)];
    if (typeof left === 'number' && right !== null)
      return typeof right === 'number' ? left * right : { minutes: left * right.minutes };
    if (typeof right === 'number' && left !== null && typeof left !== 'number')
      return { minutes: left.minutes * right };
  }
  return null;
}

/** The value of `let name = <literal>;` that a name refers to. */
function letValue(reference: KqlNode): Constant {
  let scope: KqlNode | null = reference;
  while (scope && !is(scope, 'QueryBlock')) scope = scope.Parent;
  if (!scope) return null;
  for (const statement of descendants(scope, 'LetStatement')) {
    const { Name: name, Expression: value } = statement as KqlNode & { Name: KqlNode };
    if (name.SimpleName === reference.SimpleName) return constantOf(value);
  }
  return null;
}
