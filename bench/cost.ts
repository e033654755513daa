import type { LatencyFigures } from './latency';

/**
 * List prices per region (USD), as published on the AWS pricing pages in 2026; the Seoul
 * (ap-northeast-2) figures are where Korean users' data lives by default. Re-check them before
 * quoting: only the structure of the bill is certain, the cents move.
 */
export const PRICES = {
  'us-east-1': {
    apiGatewayRestPerMillion: 3.5,
    lambdaRequestsPerMillion: 0.2,
    lambdaArmGbSecond: 0.0000133334,
    dynamoWritePerMillion: 0.625,
    dynamoReadPerMillion: 0.125,
    logsIngestPerGb: 0.5,
    logsStoragePerGbMonth: 0.03,
  },
  'ap-northeast-2': {
    apiGatewayRestPerMillion: 3.5,
    lambdaRequestsPerMillion: 0.2,
    lambdaArmGbSecond: 0.0000133334,
    dynamoWritePerMillion: 0.7125,
    dynamoReadPerMillion: 0.1425,
    logsIngestPerGb: 0.76,
    logsStoragePerGbMonth: 0.03, // us-east-1's list price, taken for Seoul too: re-check
  },
} as const;
export type Region = keyof typeof PRICES;

/** Prices that are the same in both regions. */
export const FLAT = {
  wafRequestsPerMillion: 0.6,
  wafWebAclMonth: 5,
  wafRuleMonth: 1, // each rule and each managed rule group; the two AWS IP lists carry no subscription fee
  alarmMetricMonth: 0.1, // an anomaly-detection alarm counts 3 metrics, a math alarm one per metric it reads
  customMetricMonth: 0.3,
  secretMonth: 0.4,
  dashboardMonth: 3, // beyond the account's first three
  kmsKeyMonth: 1, // each customer managed key, asymmetric included
  kmsAsymmetricRequestsPer10k: 0.15, // Sign with an ECC key ("asymmetric requests except RSA 2048"); the 20,000 free requests a month are left out
  eventBridgeEventsPerMillion: 1, // custom events put on a bus (each 64 KB chunk; ours are under 1 KB)
  apiDestinationPerMillion: 0.2, // webhook deliveries (only with a webhook; not in the totals)
} as const;

/** Assumptions the bench cannot measure here, stated next to the figure. */
export const ASSUMED = {
  memoryGb: 0.25, // the stack's memorySize
  sensRoundTripMs: 150, // SENS from ap-northeast-2; the send function waits for it
  logBytesPerRequest: 1500, // our request line + EMF + Lambda REPORT + API access log
  preflightsPerFlow: 2, // a browser's CORS preflight before each POST (cached 10 min; worst case: one each)
  customMetrics: 20, // outcomes the functions emit as EMF in a month with some of every answer
  tokenKeys: 1, // the stack's default; 2 during a rotation
  eventsPerFlow: 2, // Code Sent and Phone Number Verified; a wrong guess adds one
  streamRecordsPerFlow: 3, // the reservation, the settling write, the approval: each one events-function record
  eventsRecordsPerInvocation: 1, // worst case: low traffic, each record its own invocation (batches hold up to 10)
  eventsInvocationMs: 50, // one PutEvents round trip in the region
  eventsLogBytesPerInvocation: 300, // Lambda's START/END/REPORT lines; the function logs nothing else unless an event fails
  logRetentionMonths: { dev: 0.25, prod: 3 }, // the presets' retention (a week, three months); stored bytes counted uncompressed, an upper bound
  wafLogBytesPerRequest: 1500, // one WAF log record (headers, labels, the rules that matched; never the body)
  webhookSecrets: 2, // the header's secret you create, and the copy EventBridge's connection keeps
} as const;

/** Alarm metrics per stage, as billed. test/infra/stack-monitoring.slow.test.ts counts them in the template. */
export const ALARM_METRICS = { dev: 30, prod: 31 } as const;

/** Rules of prod's web ACL (each billed): the two rate rules and the two AWS IP lists. test/infra/documented-setups.slow.test.ts counts them in the template. */
export const WAF_RULES = 4;

/** The events function's invocations and compute: reading the stream itself costs Lambda nothing. */
function eventsFunction(flows: number, p: (typeof PRICES)[Region]): number {
  const invocations = (flows * ASSUMED.streamRecordsPerFlow) / ASSUMED.eventsRecordsPerInvocation;
  return (
    (invocations / 1e6) * p.lambdaRequestsPerMillion +
    invocations * (ASSUMED.eventsInvocationMs / 1000) * ASSUMED.memoryGb * p.lambdaArmGbSecond +
    ((invocations * ASSUMED.eventsLogBytesPerInvocation) / 1e9) * p.logsIngestPerGb
  );
}

/** GB of logs a month: the API's and the functions' lines, and the events function's REPORT lines. */
function logGigabytes(flows: number): number {
  const apiRequests = 2 * flows + ASSUMED.preflightsPerFlow * flows;
  const eventsInvocations = (flows * ASSUMED.streamRecordsPerFlow) / ASSUMED.eventsRecordsPerInvocation;
  return (apiRequests * ASSUMED.logBytesPerRequest + eventsInvocations * ASSUMED.eventsLogBytesPerInvocation) / 1e9;
}

/** The monthly AWS bill of one stage for `flows` verifications (a send and a right check each), SMS excluded. */
export function monthlyCost(
  flows: number,
  region: Region,
  stage: 'dev' | 'prod',
  figures: Pick<LatencyFigures, 'sendMs' | 'checkMs' | 'writeUnitsPerFlow' | 'readUnitsPerFlow'>,
) {
  const p = PRICES[region];
  const requests = 2 * flows;
  const apiRequests = requests + ASSUMED.preflightsPerFlow * flows;
  const gbSeconds = flows * ASSUMED.memoryGb * ((figures.sendMs + ASSUMED.sensRoundTripMs) / 1000 + figures.checkMs / 1000);
  const waf = stage === 'prod';
  const perUse = {
    apiGateway: (apiRequests / 1e6) * p.apiGatewayRestPerMillion,
    lambda: (requests / 1e6) * p.lambdaRequestsPerMillion + gbSeconds * p.lambdaArmGbSecond,
    dynamodb: ((figures.writeUnitsPerFlow * flows) / 1e6) * p.dynamoWritePerMillion + ((figures.readUnitsPerFlow * flows) / 1e6) * p.dynamoReadPerMillion,
    logs: ((apiRequests * ASSUMED.logBytesPerRequest) / 1e9) * p.logsIngestPerGb,
    wafRequests: waf ? (apiRequests / 1e6) * FLAT.wafRequestsPerMillion : 0,
    // One Sign per approval; GetPublicKey is cached per container for 5 minutes, a rounding error.
    kmsSignatures: (flows / 10_000) * FLAT.kmsAsymmetricRequestsPer10k,
    events: (flows * ASSUMED.eventsPerFlow * FLAT.eventBridgeEventsPerMillion) / 1e6 + eventsFunction(flows, p),
    // What the retention keeps: a month's logs times the months they are kept.
    logStorage: logGigabytes(flows) * ASSUMED.logRetentionMonths[stage] * p.logsStoragePerGbMonth,
  };
  const fixed = {
    secrets: 2 * FLAT.secretMonth,
    kmsKeys: ASSUMED.tokenKeys * FLAT.kmsKeyMonth,
    alarms: ALARM_METRICS[stage] * FLAT.alarmMetricMonth,
    metrics: ASSUMED.customMetrics * FLAT.customMetricMonth,
    dashboard: FLAT.dashboardMonth,
    waf: waf ? FLAT.wafWebAclMonth + WAF_RULES * FLAT.wafRuleMonth : 0,
  };
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  return { perUse, fixed, total: sum(perUse) + sum(fixed) };
}

/**
 * What a stage's options add a month, beside the totals: WAF logging (ingested as vended logs and
 * kept for the stage's retention), a webhook (its secrets and EventBridge's deliveries), and each
 * KMS key beyond the one that signs (a rotation's second key; prod keeps a dropped or destroyed
 * stage's keys until their deletion is scheduled).
 */
export function monthlyExtras(flows: number, region: Region, stage: 'dev' | 'prod') {
  const p = PRICES[region];
  const wafLogGb = ((2 + ASSUMED.preflightsPerFlow) * flows * ASSUMED.wafLogBytesPerRequest) / 1e9;
  return {
    // WAF's logs reach CloudWatch as vended logs, priced at most as the region's ingestion.
    wafLogging: wafLogGb * p.logsIngestPerGb + wafLogGb * ASSUMED.logRetentionMonths[stage] * p.logsStoragePerGbMonth,
    webhook: ASSUMED.webhookSecrets * FLAT.secretMonth + ((flows * ASSUMED.eventsPerFlow) / 1e6) * FLAT.apiDestinationPerMillion,
    eachExtraKey: FLAT.kmsKeyMonth,
  };
}

/** The bench's cost section: per 1M flows, and a month at 10 k and 1 M verifications in both regions. */
export function costTable(figures: LatencyFigures): Record<string, string> {
  const usd = (x: number) => `$${x.toFixed(2)}`;
  const rows: Record<string, string> = {};
  for (const stage of ['dev', 'prod'] as const) {
    for (const flows of [10_000, 1_000_000]) {
      const cells = (Object.keys(PRICES) as Region[]).map((region) => {
        const { perUse, fixed, total } = monthlyCost(flows, region, stage, figures);
        const parts = Object.entries({ ...perUse, ...fixed })
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${usd(v)}`);
        return `${region} ${usd(total)} (${parts.join(', ')})`;
      });
      rows[`${stage}, ${flows.toLocaleString('en')} verifications/month`] = cells.join('  |  ');
    }
  }
  rows['prod options, 1,000,000/month'] = (Object.keys(PRICES) as Region[])
    .map((region) => {
      const x = monthlyExtras(1_000_000, region, 'prod');
      return `${region}: WAF logging +${usd(x.wafLogging)}, webhook +${usd(x.webhook)}, each extra or kept KMS key +${usd(x.eachExtraKey)}`;
    })
    .join('  |  ');
  rows.assumed = `256 MB functions; send waits ${ASSUMED.sensRoundTripMs} ms for SENS; ${ASSUMED.preflightsPerFlow} CORS preflights per flow; ${ASSUMED.logBytesPerRequest} log bytes per request; ${ASSUMED.customMetrics} custom metrics; handler times and ${figures.writeUnitsPerFlow.toFixed(2)} write units per flow measured on DynamoDB Local`;
  return rows;
}
