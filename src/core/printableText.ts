/** Source text as a report may show it (ids, codes): invisible and broken characters written as `\u{…}`, at most 64 characters. */
export function printableText(text: string): string {
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return shown.replace(
    /[\p{Cc}\p{Cs}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\uFFFD]/gu,
    (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`,
  );
}
