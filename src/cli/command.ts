/** A CLI sub-command. Commands return an exit code; only cli/main.ts sets the process exit code. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for `vigil --help`. */
  summary: string;
  run(args: readonly string[], io: CliIO): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = { OK: 0, FINDINGS: 1, ERROR: 2 } as const;
