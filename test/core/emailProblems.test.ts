import { describe, expect, it } from 'vitest';
import { emailProblem } from '../../src/core/emailProblems';
import { EMAIL } from '../../src/core/mask';

describe('emailProblem', () => {
  it.each([
    ['jane doe@example.com', 'holds a space'],
    ['jane.doe.example.com', 'has no @'],
    ['jane@doe@example.com', 'has 2 @ signs; an address has one'],
    ['@example.com', 'has nothing before the @'],
    ['jane.doe@', 'has nothing after the @'],
    ['jane,doe@example.com', "holds the character ',' before the @, which an address cannot hold"],
    ['jane..doe@example.com', 'has a dot at the start or end of the part before the @, or two dots in a row'],
    ['jane.doe@example_mail.com', "holds the character '_' in its domain"],
    ['jane.doe@examplecom', 'has no dot in its domain (after the @)'],
    ['jane.doe@example..com', 'has an empty part in its domain (a dot at the start or end, or two in a row)'],
    ['jane.doe@-example.com', 'has a domain part that starts or ends with a hyphen'],
    ['jane.doe@example.c', 'ends in a top-level domain that is not 2 to 63 letters'],
  ])('%s %s', (email, problem) => {
    expect(EMAIL.test(email)).toBe(false);
    expect(emailProblem(email)).toBe(problem);
  });

  it('never repeats a letter or digit of the address', () => {
    for (const email of ['jane,doe@examplecom', 'jane doe@x', 'jane@doe@x.com', 'jane.doe@exa_mple.com']) {
      const problem = emailProblem(email);
      expect(problem).not.toMatch(/jane|doe|exa/);
    }
  });
});
