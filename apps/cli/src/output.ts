import type { Writable } from 'node:stream';

/** Buffered writes that respect back-pressure, so a large report never becomes one string. */
export class OutputWriter {
  private buffer = '';
  constructor(
    private readonly stream: Writable,
    private readonly chunkSize = 1 << 16,
  ) {}

  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= this.chunkSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => this.stream.once('drain', resolve));
    }
  }
}
