import type { LatencyFigures } from './latency';

/** us-east-1 list prices (Seoul, ap-northeast-2, is a few percent higher), 2026. */
export const PRICES = {
  apiGatewayRestPerMillion: 3.5,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  logsIngestPerGb: 0.5,
  xrayTracesPerMillion: 5,
  wafRequestsPerMillion: 0.6,
} as const;

/** Assumptions the bench cannot measure here, stated next to the figure. */
export const ASSUMED = {
  memoryGb: 0.25, // the stack's memorySize
  sensRoundTripMs: 150, // SENS from ap-northeast-2; the send function waits for it
  logBytesPerRequest: 1500, // our request line + EMF + Lambda REPORT + API access log
} as const;

/** AWS cost of 1 million send + check flows, SMS excluded, from the measured handler figures. */
export function costPerMillionFlows(figures: LatencyFigures): Record<string, string> {
  const flows = 1_000_000;
  const requests = 2 * flows;
  const gbSeconds = flows * ASSUMED.memoryGb * ((figures.sendMs + ASSUMED.sensRoundTripMs) / 1000 + figures.checkMs / 1000);
  const items = {
    'API Gateway REST': (requests / 1e6) * PRICES.apiGatewayRestPerMillion,
    'Lambda requests': (requests / 1e6) * PRICES.lambdaRequestsPerMillion,
    [`Lambda compute (${gbSeconds.toFixed(0)} GB-s)`]: gbSeconds * PRICES.lambdaArmGbSecond,
    [`DynamoDB (${figures.writeUnitsPerFlow.toFixed(2)} WRU + ${figures.readUnitsPerFlow.toFixed(2)} RRU per flow)`]:
      ((figures.writeUnitsPerFlow * flows) / 1e6) * PRICES.dynamoWritePerMillion + ((figures.readUnitsPerFlow * flows) / 1e6) * PRICES.dynamoReadPerMillion,
    'CloudWatch Logs': ((requests * ASSUMED.logBytesPerRequest) / 1e9) * PRICES.logsIngestPerGb,
  };
  const total = Object.values(items).reduce((a, b) => a + b, 0);
  const usd = (x: number) => `$${x.toFixed(2)}`;
  return {
    ...Object.fromEntries(Object.entries(items).map(([k, v]) => [k, usd(v)])),
    total: `${usd(total)}  (+ X-Ray ≤ ${usd((requests / 1e6) * PRICES.xrayTracesPerMillion)}, + WAF in prod ${usd((requests / 1e6) * PRICES.wafRequestsPerMillion)})`,
    prices: 'us-east-1 list: API GW $3.50/M, Lambda arm $0.20/M + $0.0000133334/GB-s, DynamoDB $0.625/M WRU + $0.125/M RRU, logs $0.50/GB',
    assumed: `256 MB functions; send waits ${ASSUMED.sensRoundTripMs} ms for SENS; ${ASSUMED.logBytesPerRequest} log bytes per request; handler times measured on DynamoDB Local`,
  };
}
