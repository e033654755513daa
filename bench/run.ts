import './env';
import { bundles } from './bundles';
import { costTable } from './cost';
import { latency } from './latency';
import { timing } from './timing';

/** `npm run bench`: prints figures; never part of `npm test` (timings flake on a busy machine). */
async function main(): Promise<void> {
  const started = performance.now();
  const print = (title: string, figures: Record<string, string>) => {
    process.stdout.write(`\n## ${title}\n`);
    const width = Math.max(...Object.keys(figures).map((k) => k.length));
    for (const [key, value] of Object.entries(figures)) process.stdout.write(`  ${key.padEnd(width)}  ${value}\n`);
  };
  process.stdout.write(`phone-verify bench — Node ${process.version}, ${new Date().toISOString()}\n`);
  print('Bundles (minified ESM, as the stack builds them; cold load = median import time of 20 fresh processes)', await bundles());
  const figures = await latency();
  print('Warm latency through the handlers on DynamoDB Local (1,000 sequential flows; 2,000 flows at 50 concurrent)', figures.table);
  print('Timing safety of the code comparison', timing());
  print('AWS cost per stage and month (SMS excluded), us-east-1 | ap-northeast-2', costTable(figures));
  process.stdout.write(`\nbench finished in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

// Ctrl-C or a kill: exit through 'exit', so the DynamoDB Local this bench started goes too.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130));

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
