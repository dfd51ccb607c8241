/** Typed errors with a stable code. Only the CLI entry turns them into exit codes. */

export const ERROR_CODES = {
  E_USAGE: 'usage error',
  E_TARGET: 'invalid target',
  E_NOT_FOUND: 'package or version not found',
  E_NETWORK: 'network failure',
  E_RATE_LIMITED: 'rate limited by the registry',
  E_INTEGRITY: 'integrity check failed',
  E_ARCHIVE: 'archive could not be read',
  E_LIMIT: 'a safety limit was exceeded',
  E_CONFIG: 'invalid configuration',
  E_DB: 'advisory database error',
  E_INTERNAL: 'internal error',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class VigilError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
  }
}

export function isVigilError(error: unknown): error is VigilError {
  return error instanceof VigilError;
}

/** A short, single-line description of any thrown value (never a stack trace). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
