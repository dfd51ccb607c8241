/** Resolves on the first SIGINT or SIGTERM (for long-running commands: serve, worker, proxy). */
export function waitForShutdownSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
