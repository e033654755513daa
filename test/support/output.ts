import { logger } from '../../functions/adapters/observability';

/**
 * Everything written to stdout, stderr and the console from now on (still written through), with
 * the functions' logger at DEBUG: what a test that reads the logs reads. `restore` undoes it all.
 */
export function captureOutput(): { text(): string; restore(): void } {
  let output = '';
  const restore: Array<() => void> = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const spy = jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void (output += `${args.map(String).join(' ')}\n`));
    restore.push(() => spy.mockRestore());
  }
  logger.setLogLevel('DEBUG');
  restore.push(() => logger.setLogLevel('SILENT'));
  return { text: () => output, restore: () => restore.reverse().forEach((undo) => undo()) };
}
