/**
 * Incremental reader of a RaaS JSON answer, `{"Report_Entry":[{…},{…},…]}`, fed text chunk by
 * chunk. It holds only the entry being read: a 100k-worker report never sits in memory whole.
 * Each complete entry is handed to JSON.parse (native, fast); the scanner itself only finds where
 * entries begin and end, and checks the frame around them, so a body cut anywhere is noticed.
 */
import { AppError } from '../core/errors';
import type { RawRecord } from '../core/ports';
import { OVERSIZED_ENTRY } from '../core/worker';

/**
 * A report row is a few hundred bytes; anything near this is not a report row. An entry over it
 * is skipped (read to its end, not kept) and handed on as `{ [OVERSIZED_ENTRY]: chars }`, so one
 * bad row is rejected on its own instead of failing the read for every other worker.
 */
export const MAX_ENTRY_CHARS = 1_000_000;

const ENTRIES_KEY = 'Report_Entry';

type State =
  | 'start' // before the root `{`
  | 'keyOrEnd' // inside the root, before a key or `}`
  | 'key' // inside a key string
  | 'colon'
  | 'value' // before a value of the root object
  | 'afterValue' // before `,` or `}` of the root object
  | 'entryOrEnd' // inside Report_Entry, before the first entry or `]`
  | 'entry' // inside Report_Entry after `,`: an entry must follow
  | 'afterEntry' // before `,` or `]` of Report_Entry
  | 'capture' // inside a value being captured (an entry, or a value of another key)
  | 'done';

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function badResponse(message: string, transient = false): AppError {
  return new AppError('WORKDAY.BAD_RESPONSE', message, { transient });
}

export class ReportEntryScanner {
  private state: State = 'start';
  /** Text of the key, or of the value being captured, across chunks. */
  private parts: string[] = [];
  private partsLength = 0;
  private key = '';
  private sawEntries = false;
  /** Whether the captured value is a report entry (else a value of another root key, skipped). */
  private capturingEntry = false;
  private depth = 0;
  private scalar = false;
  private inString = false;
  private escaped = false;
  private entries = 0;
  /** The entry being captured passed MAX_ENTRY_CHARS: its text is no longer kept, only its length. */
  private oversized = false;
  private oversizedChars = 0;

  /** Entries read so far. */
  get count(): number {
    return this.entries;
  }

  /** Reads one chunk of text; returns the entries it completed. Throws WORKDAY.BAD_RESPONSE. */
  feed(text: string): RawRecord[] {
    const out: RawRecord[] = [];
    let i = 0;
    while (i < text.length) {
      if (this.state === 'capture') {
        i = this.scanCapture(text, i, out);
        continue;
      }
      if (this.state === 'key') {
        i = this.scanKey(text, i);
        continue;
      }
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      // A value being captured starts at this character, so it is not consumed here.
      if (this.step(text, i)) i++;
    }
    return out;
  }

  /** The body ended: throws unless the report was complete. */
  finish(): void {
    if (this.state === 'done') return;
    if (this.state === 'start')
      throw badResponse('Workday answered with an empty body instead of the JSON report', true);
    throw badResponse(
      `the Workday report ended before it was complete (after ${this.entries} entries): the read is incomplete and must not be used`,
      true,
    );
  }

  /** One structural character outside strings and captured values; false when it starts a capture. */
  private step(text: string, i: number): boolean {
    const ch = text[i];
    switch (this.state) {
      case 'start':
        if (ch === '{') return this.to('keyOrEnd');
        if (ch === '<')
          throw badResponse(
            'Workday answered with an HTML page instead of the JSON report (maintenance or sign-in page?)',
            true,
          );
        throw badResponse(
          'Workday answered with something that is not JSON; is WORKDAY_RAAS_URL a report URL with format=json?',
        );
      case 'keyOrEnd':
        if (ch === '"') return this.beginKey();
        if (ch === '}') return this.endRoot();
        break;
      case 'colon':
        if (ch === ':') return this.to('value');
        break;
      case 'value':
        if (this.key === ENTRIES_KEY) {
          if (ch !== '[') throw badResponse(`${ENTRIES_KEY} in the Workday answer is not a list`);
          this.sawEntries = true;
          return this.to('entryOrEnd');
        }
        return this.beginCapture(text, i, false);
      case 'afterValue':
        if (ch === ',') return this.to('keyOrEnd');
        if (ch === '}') return this.endRoot();
        break;
      case 'entryOrEnd':
      case 'entry':
        if (ch === '{') return this.beginCapture(text, i, true);
        if (ch === ']' && this.state === 'entryOrEnd') return this.to('afterValue');
        throw badResponse(`entry ${this.entries + 1} of ${ENTRIES_KEY} is not an object`);
      case 'afterEntry':
        if (ch === ',') return this.to('entry');
        if (ch === ']') return this.to('afterValue');
        break;
      case 'done':
        throw badResponse('the Workday answer holds data after the end of the report');
      default:
        break;
    }
    throw badResponse(`the Workday answer is not valid JSON (unexpected '${ch}' after ${this.entries} entries)`);
  }

  private to(state: State): boolean {
    this.state = state;
    return true;
  }

  private beginKey(): boolean {
    this.state = 'key';
    this.parts = ['"'];
    this.partsLength = 1;
    this.escaped = false;
    return true;
  }

  private scanKey(text: string, from: number): number {
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.escaped) this.escaped = false;
      else if (c === 0x5c) this.escaped = true;
      else if (c === 0x22) {
        this.append(text.slice(from, i + 1));
        this.key = JSON.parse(this.takeCaptured()) as string;
        this.state = 'colon';
        return i + 1;
      }
    }
    this.append(text.slice(from));
    return text.length;
  }

  private endRoot(): boolean {
    if (!this.sawEntries) {
      throw badResponse(`the Workday answer has no ${ENTRIES_KEY}; is WORKDAY_RAAS_URL a RaaS report in JSON format?`);
    }
    return this.to('done');
  }

  private beginCapture(text: string, i: number, entry: boolean): boolean {
    this.state = 'capture';
    this.capturingEntry = entry;
    this.parts = [];
    this.partsLength = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    const ch = text[i];
    this.scalar = ch !== '{' && ch !== '[' && ch !== '"';
    return false;
  }

  /** Scans a captured value from `from`; returns where scanning should go on. */
  private scanCapture(text: string, from: number, out: RawRecord[]): number {
    let i = from;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.depth === 0) return this.endCapture(text, from, i + 1, out);
        }
      } else if (this.scalar) {
        // A bare number, true, false or null ends at the next delimiter, which is not part of it.
        if (c === 0x2c || c === 0x7d || c === 0x5d || isSpace(c)) return this.endCapture(text, from, i, out);
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === 0) return this.endCapture(text, from, i + 1, out);
      }
    }
    this.append(text.slice(from));
    return i;
  }

  private endCapture(text: string, from: number, end: number, out: RawRecord[]): number {
    this.append(text.slice(from, end));
    const captured = this.takeCaptured();
    if (this.capturingEntry && this.oversized) {
      this.entries++;
      out.push({ [OVERSIZED_ENTRY]: this.oversizedChars });
      this.oversized = false;
      this.state = 'afterEntry';
    } else if (this.capturingEntry) {
      out.push(this.parseEntry(captured));
      this.state = 'afterEntry';
    } else {
      this.parseOther(captured);
      this.state = 'afterValue';
    }
    return end;
  }

  private parseEntry(captured: string): RawRecord {
    this.entries++;
    try {
      return JSON.parse(captured) as RawRecord;
    } catch {
      throw badResponse(`entry ${this.entries} of ${ENTRIES_KEY} is not valid JSON`);
    }
  }

  /** Values of other root keys are not used, but must be JSON all the same. */
  private parseOther(captured: string): void {
    try {
      JSON.parse(captured);
    } catch {
      throw badResponse(`the value of '${this.key}' in the Workday answer is not valid JSON`);
    }
  }

  private append(part: string): void {
    if (part.length === 0) return;
    this.partsLength += part.length;
    if (this.partsLength > MAX_ENTRY_CHARS) {
      if (this.state === 'capture' && this.capturingEntry) {
        this.oversized = true;
        this.parts = [];
        return;
      }
      throw badResponse(
        `an element of the Workday answer is larger than ${MAX_ENTRY_CHARS} characters: this is not a report row`,
      );
    }
    this.parts.push(part);
  }

  private takeCaptured(): string {
    const captured = this.oversized ? '' : this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
    this.oversizedChars = this.partsLength;
    this.parts = [];
    this.partsLength = 0;
    return captured;
  }
}
