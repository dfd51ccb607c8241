/** CLI entry: the only place that decides exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  process.stdout.write(`vigil: not yet implemented (${argv.join(' ')})\n`);
  return 2;
}
