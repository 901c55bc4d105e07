/**
 * Turns one HTTP answer from the Workday SOAP endpoint into the Get_Workers_Response element or
 * an AppError that says what to do: a refused integration user stops the run (a setting is wrong),
 * a refused request stops it with Workday's own message, and anything an outage explains
 * (Server faults, 5xx, maintenance pages, cut-off bodies) is transient, for the retry policy.
 */
import { AppError } from '../core/errors';
import { parseRetryAfter } from '../http/retry';
import { workdayStatusError, type WorkdayCall } from './http';
import { childElements, descend, parseXml, stringValue, type XmlElement } from './soapXml';

export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter: string | null;
}

export interface AnswerContext {
  username: string;
  /** What was asked, for messages: `page 3`, `worker 100042`. */
  label: string;
}

export function getWorkersResponseOf(answer: HttpAnswer, context: AnswerContext): XmlElement {
  const root = parseRoot(answer.body);
  const body = root?.name === 'Envelope' ? descend(root, 'Body') : undefined;
  const fault = descend(body, 'Fault');
  if (fault) throw faultError(fault, answer, context);
  const response = descend(body, 'Get_Workers_Response');
  if (answer.status === 200 && response) return response;
  throw httpError(answer, context, root !== null);
}

function parseRoot(body: string): XmlElement | null {
  return body.trimStart().startsWith('<') ? parseXml(body) : null;
}

function faultError(fault: XmlElement, answer: HttpAnswer, context: AnswerContext): AppError {
  const code = (descend(fault, 'faultcode')?.text ?? '').trim();
  const reason = (descend(fault, 'faultstring')?.text ?? '').trim();
  const localCode = code.slice(code.indexOf(':') + 1);
  if (/authenticationError/i.test(localCode) || /invalid username or password/i.test(reason)) {
    return new AppError(
      'WORKDAY.AUTHENTICATION',
      `Workday refused the integration user WORKDAY_USERNAME='${context.username}' ("${reason || code}"). ` +
        'Check WORKDAY_USERNAME (user@tenant) and WORKDAY_PASSWORD, and that the account is not locked or expired.',
      { status: answer.status },
    );
  }
  if (localCode.startsWith('Client')) {
    return new AppError('WORKDAY.VALIDATION', `Workday refused the Get_Workers request (${context.label}): ${validationMessage(fault) ?? reason}`, {
      status: answer.status,
    });
  }
  return new AppError('WORKDAY.UNAVAILABLE', `Workday failed to answer Get_Workers (${context.label}): ${code} ${reason}`.trim(), {
    transient: true,
    status: answer.status,
    ...retryAfterOf(answer),
  });
}

/** Workday's own words for each problem, from the Validation_Fault detail. */
function validationMessage(fault: XmlElement): string | undefined {
  const errors = childElements(descend(fault, 'detail', 'Validation_Fault'), 'Validation_Error');
  const messages = errors.map((error) => stringValue(descend(error, 'Message') ?? descend(error, 'Detail_Message') ?? error).trim()).filter(Boolean);
  return messages.length > 0 ? messages.join('; ') : undefined;
}

/** Not a SOAP answer at all: statuses mean what they mean for every Workday call (http.ts). */
function httpError(answer: HttpAnswer, context: AnswerContext, wellFormed: boolean): AppError {
  const html = /<html[\s>]/i.test(answer.body.slice(0, 2000));
  if (answer.status !== 200) {
    return workdayStatusError(getWorkersCall(context.label), answer.status, answer.retryAfter, html ? 'an HTML page (maintenance or outage)' : '');
  }
  if (html) {
    return new AppError('WORKDAY.UNAVAILABLE', `Workday answered Get_Workers (${context.label}) with an HTML page (maintenance or outage)`, {
      transient: true,
      status: 200,
      ...retryAfterOf(answer),
    });
  }
  // A body cut off mid-stream is an outage symptom; a complete envelope of the wrong shape is not.
  return new AppError('WORKDAY.BAD_RESPONSE', `Workday's Get_Workers answer (${context.label}) is ${wellFormed ? 'not a Get_Workers_Response' : 'not complete XML'}`, {
    transient: !wellFormed,
    status: 200,
  });
}

export function getWorkersCall(label: string): WorkdayCall {
  return { what: `Get_Workers (${label})`, urlSetting: 'WORKDAY_SOAP_URL' };
}

function retryAfterOf(answer: HttpAnswer): { retryAfterMs?: number } {
  const retryAfterMs = parseRetryAfter(answer.retryAfter);
  return retryAfterMs === undefined ? {} : { retryAfterMs };
}
