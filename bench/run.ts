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
  const bundled = await bundles();
  print('Bundles (minified ESM, as the stack builds them; cold load = median import time of 20 fresh processes)', bundled.table);
  const figures = await latency();
  print('Warm latency through the handlers on DynamoDB Local (1,000 sequential flows; 2,000 flows at 50 concurrent)', figures.table);
  print('Timing safety of the code comparison', timing());
  print('AWS cost per stage and month (SMS excluded), us-east-1 | ap-northeast-2', costTable(figures));
  // One line that shows a slowdown anywhere: project ÷ baseline, measured in this run.
  const r = figures.ratios;
  const x = (n: number) => `×${n.toFixed(2)}`;
  print('Summary against the goals (project ÷ baseline in this run; goal in brackets)', {
    'write units per flow (send + right check)': `${figures.writeUnitsPerFlow.toFixed(2)} [3 without the hourly guards (reserve, settle, check); they add 2]`,
    'bundle KB send / check': `${bundled.kb.send.toFixed(0)} / ${bundled.kb.check.toFixed(0)} [≤ 420]`,
    'cold import send / check': `${x(bundled.ratios.sendCold)} / ${x(bundled.ratios.checkCold)} [≤ ×1.15]`,
    'send cold import with the new providers, SENS only': `${x(bundled.ratios.providersCold)} [≤ ×1.05]`,
    'send p50 / p99 sequential': `${x(r.sendSeq.p50)} / ${x(r.sendSeq.p99)} [≤ ×2 / ≤ ×1.5]`,
    'check p50 / p99 sequential': `${x(r.checkSeq.p50)} / ${x(r.checkSeq.p99)} [≤ ×2 / ≤ ×2]`,
    'check p99 at 50 in flight': `${x(r.checkCon.p99)} [≤ ×2]`,
    'check signing in KMS (emulator) p50 / p99': `${x(r.checkKms.p50)} / ${x(r.checkKms.p99)} [reported: KMS's own time]`,
  });
  process.stdout.write(
    `\nsummary: flow ${figures.writeUnitsPerFlow.toFixed(2)} WU; bundle ${bundled.kb.send.toFixed(0)}/${bundled.kb.check.toFixed(0)} KB; cold ${x(bundled.ratios.sendCold)}/${x(bundled.ratios.checkCold)}; ` +
      `send ${x(r.sendSeq.p50)}/${x(r.sendSeq.p99)}; check ${x(r.checkSeq.p50)}/${x(r.checkSeq.p99)}; check p99 at 50 ${x(r.checkCon.p99)}\n`,
  );
  process.stdout.write(`\nbench finished in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

// Ctrl-C or a kill: exit through 'exit', so the DynamoDB Local this bench started goes too.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130));

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
