import '../local/env-defaults';
import { sequentialFlows } from './flows';

/** `npm run bench`: prints figures; never part of `npm test` (timings flake on a busy machine). */
async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const sections: Array<[string, () => Promise<Record<string, string>>]> = [['Sequential send + check flows (DynamoDB Local, in-process handlers)', () => sequentialFlows()]];
  for (const [title, run] of sections) {
    const figures = await run();
    process.stdout.write(`\n## ${title}\n`);
    const width = Math.max(...Object.keys(figures).map((k) => k.length));
    for (const [key, value] of Object.entries(figures)) process.stdout.write(`  ${key.padEnd(width)}  ${value}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
