/**
 * Turns one HTTP answer from the Workday SOAP endpoint into the Get_Workers_Response element or
 * an AppError that says what to do: a refused integration user stops the run (a setting is wrong),
 * a refused request stops it with Workday's own message, and anything an outage explains
 * (Server faults, 5xx, maintenance pages, cut-off bodies) is transient, for the retry policy.
 */
import { AppError } from '../core/errors';
import { cappedRetryAfter, workdayStatusError, type WorkdayCall } from './http';
import { childElements, descend, parseXml, stringValue, type XmlElement, type XmlParse } from './soapXml';

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

/** The answer as one string (error answers, which are small, and tests). */
export function getWorkersResponseOf(answer: HttpAnswer, context: AnswerContext): XmlElement {
  return checkedGetWorkersResponse(
    answer.body.trimStart().startsWith('<') ? parseXml(answer.body) : null,
    answer,
    context,
  );
}

/**
 * The same judgement over a body parsed as it arrived (`parsed` is null when it did not start
 * as XML); `answer.body` needs to hold only the body's start, where an HTML page shows itself.
 */
export function checkedGetWorkersResponse(
  parsed: XmlParse | null,
  answer: HttpAnswer,
  context: AnswerContext,
): XmlElement {
  const root = parsed?.ok ? parsed.root : null;
  const body = root?.name === 'Envelope' ? descend(root, 'Body') : undefined;
  const fault = descend(body, 'Fault');
  if (fault) throw faultError(fault, answer, context);
  const response = descend(body, 'Get_Workers_Response');
  if (answer.status === 200 && response) return response;
  throw httpError(answer, context, parsed);
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
    return new AppError(
      'WORKDAY.VALIDATION',
      `Workday refused the Get_Workers request (${context.label}): ${validationMessage(fault) ?? reason}`,
      {
        status: answer.status,
      },
    );
  }
  const { note, ...retryAfter } = cappedRetryAfter(answer.retryAfter);
  return new AppError(
    'WORKDAY.UNAVAILABLE',
    `Workday failed to answer Get_Workers (${context.label}): ${`${code} ${reason}`.trim()}${note}`,
    {
      transient: true,
      status: answer.status,
      ...retryAfter,
    },
  );
}

/** Workday's own words for each problem, from the Validation_Fault detail. */
function validationMessage(fault: XmlElement): string | undefined {
  const errors = childElements(descend(fault, 'detail', 'Validation_Fault'), 'Validation_Error');
  const messages = errors
    .map((error) => stringValue(descend(error, 'Message') ?? descend(error, 'Detail_Message') ?? error).trim())
    .filter(Boolean);
  return messages.length > 0 ? messages.join('; ') : undefined;
}

/** Not a SOAP answer at all: statuses mean what they mean for every Workday call (http.ts). */
function httpError(answer: HttpAnswer, context: AnswerContext, parsed: XmlParse | null): AppError {
  const html = /<html[\s>]/i.test(answer.body.slice(0, 2000));
  if (answer.status !== 200) {
    return workdayStatusError(
      getWorkersCall(context.label),
      answer.status,
      answer.retryAfter,
      html ? 'an HTML page (maintenance or outage)' : '',
    );
  }
  if (html) {
    const { note, ...retryAfter } = cappedRetryAfter(answer.retryAfter);
    return new AppError(
      'WORKDAY.UNAVAILABLE',
      `Workday answered Get_Workers (${context.label}) with an HTML page (maintenance or outage)${note}`,
      {
        transient: true,
        status: 200,
        ...retryAfter,
      },
    );
  }
  if (parsed?.ok)
    return new AppError(
      'WORKDAY.BAD_RESPONSE',
      `Workday's Get_Workers answer (${context.label}) is not a Get_Workers_Response`,
      { status: 200 },
    );
  // A body cut off mid-stream is an outage symptom; XML that breaks the rules inside the page
  // (an undefined entity, a character reference outside Unicode) would come back the same.
  const incomplete = parsed === null || parsed.incomplete;
  const problem = parsed === null ? 'it does not start with XML' : parsed.problem;
  return new AppError(
    'WORKDAY.BAD_RESPONSE',
    `Workday's Get_Workers answer (${context.label}) is ${incomplete ? 'not complete XML' : 'not well-formed XML'} (${problem}); the read stops here, no part of it is used`,
    { transient: incomplete, status: 200 },
  );
}

export function getWorkersCall(label: string): WorkdayCall {
  return { what: `Get_Workers (${label})`, urlSetting: 'WORKDAY_SOAP_URL' };
}
