/** A one-line progress bar on a TTY (stderr); silent elsewhere. */
export class Progress {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private readonly enabled: boolean;
  private readonly started = Date.now();
  private last = 0;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, enabled: boolean) {
    this.stream = stream;
    this.enabled = enabled && stream.isTTY === true;
  }

  update(done: number, total: number, label: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < total && now - this.last < 80) return;
    this.last = now;
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(1)}/s ${label}`;
    const max = (this.stream.columns ?? 80) - 1;
    this.stream.write(`\r\u001b[2K${text.slice(0, max)}`);
  }

  done(): void {
    if (this.enabled) this.stream.write('\r\u001b[2K');
  }
}
