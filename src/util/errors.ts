/** Exit codes of every faultline command (README.md, "Exit codes"; docs/cli.md). */
export const EXIT = { passed: 0, failed: 1, aborted: 2, error: 3, interrupted: 130 } as const;

/**
 * An error caused by the user's input or environment (a bad file, a missing target, a wrong flag).
 * The CLI prints its message as one line, without a stack trace, and exits with `exitCode`.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.error) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** Several user errors found at once (all the errors of a file, not only the first). */
export class UserErrors extends UserError {
  readonly messages: string[];
  constructor(messages: string[]) {
    super(messages.join('\n'));
    this.name = 'UserErrors';
    this.messages = messages;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
