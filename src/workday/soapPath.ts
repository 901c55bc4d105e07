/**
 * The XPath subset Microsoft's Workday connector is configured with, so that an identity engineer
 * can paste an expression from the Entra attribute list (`wd:Worker/wd:Worker_Data/…[@wd:type='…']
 * /text()`) and get the same value here. Supported: child steps (`*` too), `@attribute`, `text()`,
 * predicates with `=`, `!=`, `and`, `or`, parentheses, numeric positions, string and number literals,
 * and the functions string, translate, normalize-space, concat, contains, starts-with, not,
 * position, last, true, false. Prefixes are ignored: `wd:Worker` and `Worker` are the same step.
 */
import { stringValue, type XmlElement } from './soapXml';

export interface SoapPath {
  readonly expression: string;
  /** The string values the expression selects from one `Worker` element, in document order. */
  select(worker: XmlElement): string[];
}

type Step =
  | { kind: 'element'; name: string; predicates: Expr[] }
  | { kind: 'attribute'; name: string }
  | { kind: 'text' };
type Expr =
  | { kind: 'binary'; op: 'or' | 'and' | '=' | '!='; left: Expr; right: Expr }
  | { kind: 'path'; steps: Step[] }
  | { kind: 'literal'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: Expr[] };
type Item = { element: XmlElement } | { value: string };
type Value = Item[] | string | number | boolean;
interface Context {
  element: XmlElement;
  position: number;
  size: number;
}

/** Compiles once; throws an Error naming the expression and the place it could not read. */
export function compileSoapPath(expression: string): SoapPath {
  const steps = new Parser(expression).parseTopLevel();
  return {
    expression,
    select(worker) {
      const root: XmlElement = { name: '', attributes: {}, children: [worker], text: '' };
      return selectSteps(steps, [{ element: root }]).map(itemString);
    },
  };
}

// ---------------------------------------------------------------- parsing

const TOKEN =
  /\s*(\/\/|\/|\[|\]|\(|\)|@|!=|=|,|\*|"[^"]*"|'[^']*'|\d+(?:\.\d+)?|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)/y;

class Parser {
  private readonly tokens: string[] = [];
  private index = 0;

  constructor(private readonly expression: string) {
    let position = 0;
    for (;;) {
      TOKEN.lastIndex = position;
      const match = TOKEN.exec(expression);
      if (!match) break;
      this.tokens.push(match[1]!);
      position = TOKEN.lastIndex;
    }
    const rest = expression.slice(position).trim();
    if (rest !== '') this.fail(`unexpected '${rest[0]}'`);
  }

  parseTopLevel(): Step[] {
    if (this.peek() === '/') this.index++;
    const steps = this.parseSteps();
    if (this.index < this.tokens.length) this.fail(`unexpected '${this.peek()}'`);
    return steps;
  }

  private parseSteps(): Step[] {
    const steps = [this.parseStep()];
    while (this.peek() === '/' || this.peek() === '//') {
      if (this.next() === '//') this.fail("'//' (descendant search) is not supported; spell out each step");
      steps.push(this.parseStep());
    }
    return steps;
  }

  private parseStep(): Step {
    if (this.peek() === '@') {
      this.index++;
      return { kind: 'attribute', name: localName(this.expectName()) };
    }
    const name = this.peek() === '*' ? this.next()! : localName(this.expectName());
    if (name === 'text' && this.peek() === '(') {
      this.expect('(');
      this.expect(')');
      return { kind: 'text' };
    }
    const predicates: Expr[] = [];
    while (this.peek() === '[') {
      this.index++;
      predicates.push(this.parseOr());
      this.expect(']');
    }
    return { kind: 'element', name, predicates };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.peek() === 'or') {
      this.index++;
      left = { kind: 'binary', op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseComparison();
    while (this.peek() === 'and') {
      this.index++;
      left = { kind: 'binary', op: 'and', left, right: this.parseComparison() };
    }
    return left;
  }

  private parseComparison(): Expr {
    const left = this.parseOperand();
    const op = this.peek();
    if (op !== '=' && op !== '!=') return left;
    this.index++;
    return { kind: 'binary', op, left, right: this.parseOperand() };
  }

  private parseOperand(): Expr {
    const token = this.peek();
    if (token === undefined) this.fail('the expression ends too early');
    if (token === '(') {
      this.index++;
      const inner = this.parseOr();
      this.expect(')');
      return inner;
    }
    if (token.startsWith('"') || token.startsWith("'")) {
      this.index++;
      return { kind: 'literal', value: token.slice(1, -1) };
    }
    if (/^\d/.test(token)) {
      this.index++;
      return { kind: 'number', value: Number(token) };
    }
    if (/^[A-Za-z_]/.test(token) && this.tokens[this.index + 1] === '(' && FUNCTIONS.has(token))
      return this.parseCall();
    return { kind: 'path', steps: this.parseSteps() };
  }

  private parseCall(): Expr {
    const name = this.expectName();
    this.expect('(');
    const args: Expr[] = [];
    while (this.peek() !== ')') {
      args.push(this.parseOr());
      if (this.peek() === ',') this.index++;
      else break;
    }
    this.expect(')');
    return { kind: 'call', name, args };
  }

  private peek(): string | undefined {
    return this.tokens[this.index];
  }

  private next(): string | undefined {
    return this.tokens[this.index++];
  }

  private expect(token: string): void {
    if (this.next() !== token) this.fail(`expected '${token}'`);
  }

  private expectName(): string {
    const token = this.next();
    if (token === undefined || !/^[A-Za-z_]/.test(token)) this.fail(`expected a name, found '${token ?? 'the end'}'`);
    return token;
  }

  private fail(problem: string): never {
    throw new Error(`Cannot read the XPath '${this.expression}': ${problem}`);
  }
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

// ---------------------------------------------------------------- evaluation

/** Plain loops rather than flatMap: nine expressions per worker, 100k workers per full read. */
function selectSteps(steps: readonly Step[], start: Item[]): Item[] {
  let items = start;
  for (const step of steps) {
    const next: Item[] = [];
    for (const item of items) if ('element' in item) applyStep(step, item.element, next);
    items = next;
  }
  return items;
}

function applyStep(step: Step, element: XmlElement, into: Item[]): void {
  if (step.kind === 'attribute') {
    const value = element.attributes[step.name];
    if (value !== undefined) into.push({ value });
    return;
  }
  if (step.kind === 'text') {
    if (element.text !== '') into.push({ value: element.text });
    return;
  }
  let matches: XmlElement[] = [];
  for (const child of element.children) if (step.name === '*' || child.name === step.name) matches.push(child);
  for (const predicate of step.predicates) {
    const kept: XmlElement[] = [];
    for (let index = 0; index < matches.length; index++) {
      const candidate = matches[index] as XmlElement;
      const result = evaluate(predicate, { element: candidate, position: index + 1, size: matches.length });
      if (typeof result === 'number' ? result === index + 1 : toBoolean(result)) kept.push(candidate);
    }
    matches = kept;
  }
  for (const match of matches) into.push({ element: match });
}

function evaluate(expr: Expr, context: Context): Value {
  switch (expr.kind) {
    case 'literal':
    case 'number':
      return expr.value;
    case 'path':
      return selectSteps(expr.steps, [{ element: context.element }]);
    case 'call':
      return call(
        expr.name,
        expr.args.map((arg) => evaluate(arg, context)),
        context,
      );
    case 'binary':
      if (expr.op === 'or') return toBoolean(evaluate(expr.left, context)) || toBoolean(evaluate(expr.right, context));
      if (expr.op === 'and') return toBoolean(evaluate(expr.left, context)) && toBoolean(evaluate(expr.right, context));
      return compare(evaluate(expr.left, context), evaluate(expr.right, context), expr.op);
  }
}

const FUNCTIONS = new Set([
  'string',
  'translate',
  'normalize-space',
  'concat',
  'contains',
  'starts-with',
  'not',
  'position',
  'last',
  'true',
  'false',
]);

function call(name: string, args: Value[], context: Context): Value {
  const text = (index: number): string => stringOf(args[index] ?? [{ element: context.element }]);
  switch (name) {
    case 'string':
      return text(0);
    case 'normalize-space':
      return text(0).trim().replace(/\s+/g, ' ');
    case 'translate': {
      const [from, to] = [text(1), text(2)];
      return [...text(0)].map((char) => (from.includes(char) ? (to[from.indexOf(char)] ?? '') : char)).join('');
    }
    case 'concat':
      return args.map(stringOf).join('');
    case 'contains':
      return text(0).includes(text(1));
    case 'starts-with':
      return text(0).startsWith(text(1));
    case 'not':
      return !toBoolean(args[0] ?? false);
    case 'position':
      return context.position;
    case 'last':
      return context.size;
    default:
      return name === 'true';
  }
}

/** XPath 1.0 equality: a node-set equals a value when any of its nodes does. */
function compare(left: Value, right: Value, op: '=' | '!='): boolean {
  const equal = (a: Value, b: Value): boolean => {
    if (Array.isArray(a)) return a.some((item) => equal(itemString(item), b));
    if (Array.isArray(b)) return equal(b, a);
    if (typeof a === 'boolean' || typeof b === 'boolean') return toBoolean(a) === toBoolean(b);
    if (typeof a === 'number' || typeof b === 'number') return toNumber(a) === toNumber(b);
    return a === b;
  };
  if (op === '=') return equal(left, right);
  if (Array.isArray(left)) return left.some((item) => !equal(itemString(item), right));
  if (Array.isArray(right)) return right.some((item) => !equal(left, itemString(item)));
  return !equal(left, right);
}

function itemString(item: Item): string {
  return 'element' in item ? stringValue(item.element) : item.value;
}

function stringOf(value: Value): string {
  if (Array.isArray(value)) return value[0] ? itemString(value[0]) : '';
  return String(value);
}

function toNumber(value: Value): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  const text = stringOf(value).trim();
  return text === '' ? Number.NaN : Number(text);
}

function toBoolean(value: Value): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  return typeof value === 'string' ? value !== '' : value;
}
