/**
 * A real (small) OData `$filter` parser for exactly what the writer may ask Graph:
 * `employeeId eq '<literal>'` and `employeeId in ('a','b',…)` with at most 15 values.
 * Anything else is refused with 400, never answered with a wider result: a client that forgot
 * to double a quote (`'O'Brien'`) or glued clauses together must find out here, not in Entra.
 */
import { badRequest, type GraphRefusal } from './responses';
import { canonicalUserProperty } from './userProperties';

export const MAX_IN_VALUES = 15;

type Token =
  | { kind: 'name'; text: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; text: string; at: number }
  | { kind: 'punct'; text: '(' | ')' | ','; at: number };

/** Values the filter accepts; Graph compares them case-insensitively. */
export interface EmployeeIdFilter {
  values: string[];
}

export function parseEmployeeIdFilter(filter: string): EmployeeIdFilter {
  const tokens = tokenize(filter);
  const reader = new TokenReader(filter, tokens);
  const property = reader.next();
  if (property?.kind !== 'name') throw onlyOneClause(filter, property?.at ?? 0);
  if (reader.peek()?.kind === 'punct') throw unsupportedClause(property.text);
  if (property.text.toLowerCase() !== 'employeeid') throw unknownOrUnsupportedProperty(property.text);

  const operator = reader.next();
  if (operator?.kind !== 'name') throw reader.syntaxError(operator);
  const values = operatorValues(operator.text.toLowerCase(), reader);
  const rest = reader.next();
  if (rest) throw rest.kind === 'name' ? onlyOneClause(filter, rest.at) : reader.syntaxError(rest);
  if (values.length > MAX_IN_VALUES) {
    throw badRequest(
      'Request_UnsupportedQuery',
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: ${MAX_IN_VALUES}.`,
    );
  }
  return { values };
}

function operatorValues(operator: string, reader: TokenReader): string[] {
  if (operator === 'eq') return [reader.stringLiteral()];
  if (operator === 'in') return reader.stringList();
  throw unsupportedClause('employeeId');
}

class TokenReader {
  private index = 0;

  constructor(
    private readonly filter: string,
    private readonly tokens: Token[],
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  next(): Token | undefined {
    return this.tokens[this.index++];
  }

  stringLiteral(): string {
    const token = this.next();
    if (token?.kind === 'string') return token.value;
    // null, numbers and bare words are valid OData elsewhere, but not what this filter serves.
    if (token?.kind === 'name' || token?.kind === 'number') throw unsupportedClause('employeeId');
    throw this.syntaxError(token);
  }

  stringList(): string[] {
    this.expect('(');
    const values = [this.stringLiteral()];
    for (;;) {
      const token = this.next();
      if (token?.kind === 'punct' && token.text === ')') return values;
      if (token?.kind !== 'punct' || token.text !== ',') throw this.syntaxError(token);
      values.push(this.stringLiteral());
    }
  }

  syntaxError(token: Token | undefined): GraphRefusal {
    return syntaxError(this.filter, token?.at ?? this.filter.length);
  }

  private expect(text: '(' | ')'): void {
    const token = this.next();
    if (token?.kind !== 'punct' || token.text !== text) throw this.syntaxError(token);
  }
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < filter.length) {
    const char = filter[at]!;
    if (/\s/.test(char)) {
      at += 1;
    } else if (char === "'") {
      const literal = readStringLiteral(filter, at);
      tokens.push({ kind: 'string', value: literal.value, at });
      at = literal.end;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: 'punct', text: char, at });
      at += 1;
    } else {
      const word = /^[A-Za-z_$][A-Za-z0-9_./$]*|^-?[0-9][0-9.]*/.exec(filter.slice(at))?.[0];
      if (!word) throw syntaxError(filter, at);
      tokens.push(/^[-0-9]/.test(word) ? { kind: 'number', text: word, at } : { kind: 'name', text: word, at });
      at += word.length;
    }
  }
  return tokens;
}

/** OData string literal: a quote inside is written twice (`'O''Brien'`). */
function readStringLiteral(filter: string, start: number): { value: string; end: number } {
  let value = '';
  let at = start + 1;
  while (at < filter.length) {
    const char = filter[at]!;
    if (char !== "'") {
      value += char;
      at += 1;
    } else if (filter[at + 1] === "'") {
      value += "'";
      at += 2;
    } else {
      return { value, end: at + 1 };
    }
  }
  throw syntaxError(filter, start);
}

function syntaxError(filter: string, at: number): GraphRefusal {
  return badRequest('BadRequest', `Invalid filter clause: Syntax error at position ${at} in '${filter}'.`);
}

function unsupportedClause(property: string): GraphRefusal {
  return badRequest(
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${property}' of resource 'User'.`,
  );
}

function unknownOrUnsupportedProperty(name: string): GraphRefusal {
  if (canonicalUserProperty(name)) return unsupportedClause(name);
  return badRequest('BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
}

// Graph itself would serve `or`/`and` and parentheses; the simulator refuses them on purpose so
// that an unescaped literal that turns into a second clause can never widen a lookup unnoticed.
function onlyOneClause(filter: string, at: number): GraphRefusal {
  return badRequest(
    'Request_UnsupportedQuery',
    `The Graph simulator serves a single employeeId eq '…' or employeeId in (…) clause; unexpected input at position ${at} in '${filter}'.`,
  );
}
