import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output and a controlled environment. */
export async function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await main(args, {
    stdout,
    stderr,
    env: options.env ?? { HOME: process.env.HOME, PATH: process.env.PATH },
    cwd: options.cwd ?? process.cwd(),
  });
  return { code, stdout: out, stderr: err };
}

/** The parts of `vigil scan --format json` the tests read. */
export interface JsonReport {
  results: {
    target: string;
    ecosystem: string;
    name: string;
    version: string;
    verdict: string;
    score: number;
    artifacts: { filename: string; sha256: string; size: number }[];
    findings: { ruleId: string; severity: string; message: string; location: { path: string; line: number }; evidence: string }[];
    newInRelease?: { ruleId: string; location: { path: string } }[];
    suppressed?: { reason: string }[];
    errors: { code: string; message: string }[];
  }[];
}
