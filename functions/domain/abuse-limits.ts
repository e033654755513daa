import type { PhoneNumber } from './phone';

/** What an attacker who rotates numbers can cost, per clock hour (docs/limits.md; 0 turns one off). */
export interface AbuseLimits {
  /** Messages handed to the provider per clock hour, whole environment. */
  readonly smsBudgetPerHour: number;
  /** Messages per clock hour to numbers that share all but their last 4 digits. */
  readonly maxSendsPerPrefixPerHour: number;
}

/** One hourly counter a send must take before the provider is asked. */
export interface HourlyCounter {
  /** The counter's item, e.g. `range#+8210123#2026-12-01T13` or `budget#2026-12-01T13`. */
  readonly bucket: string;
  readonly max: number;
  /** The refusal when the counter is full; the range limit comes first (docs/limits.md). */
  readonly refusal: 'number_range_limited' | 'sms_budget_exhausted';
}

const HOUR_MS = 3_600_000;

/** The end of the clock hour (UTC) that holds `now`: when every hourly counter starts again. */
export function hourEnd(now: number): number {
  return Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
}

/** `+8210123` for `+821012345678`: the number without its last 4 digits (pumping walks ranges). */
export function numberRange(e164: string): string {
  return e164.slice(0, -4);
}

/** The clock hour of `now`, as the counters name it: `2026-12-01T13`. */
function hourOf(now: number): string {
  return new Date(now).toISOString().slice(0, 13);
}

/** The environment's SMS budget counter of `now`'s clock hour (a send takes one; so does each failover). */
export function budgetBucket(now: number): string {
  return `budget#${hourOf(now)}`;
}

/** The counters a send to `phone` at `now` takes, in the order they are checked (docs/limits.md: range, then budget). */
export function hourlyCounters(phone: PhoneNumber, now: number, limits: AbuseLimits): HourlyCounter[] {
  const counters: HourlyCounter[] = [];
  if (limits.maxSendsPerPrefixPerHour > 0) {
    counters.push({ bucket: `range#${numberRange(phone.e164)}#${hourOf(now)}`, max: limits.maxSendsPerPrefixPerHour, refusal: 'number_range_limited' });
  }
  if (limits.smsBudgetPerHour > 0) counters.push({ bucket: budgetBucket(now), max: limits.smsBudgetPerHour, refusal: 'sms_budget_exhausted' });
  return counters;
}
