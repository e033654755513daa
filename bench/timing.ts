import { CodeHasher } from '../functions/domain/code';
import { summarize } from './support';

/**
 * Timing safety: a wrong code sharing 0 or 5 leading digits with the right one must take the same
 * time to refuse. Alternating batches, so drift of the machine hits both sides alike.
 */
export function timing(): Record<string, string> {
  const hasher = new CodeHasher('timing-bench-secret-0123456789abcdef');
  const phone = '+821012345678';
  const stored = hasher.hash(phone, '123456');
  const candidates = { 'no leading digit right': '900000', 'five leading digits right': '123450' };
  const samples: Record<string, number[]> = { 'no leading digit right': [], 'five leading digits right': [] };
  const batch = 2000;
  for (let round = 0; round < 200; round += 1) {
    for (const [label, code] of Object.entries(candidates)) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < batch; i += 1) if (hasher.matches(stored, phone, code)) throw new Error('wrong code matched');
      samples[label]?.push(Number(process.hrtime.bigint() - t) / batch);
    }
  }
  const a = summarize(samples['no leading digit right'] ?? []);
  const b = summarize(samples['five leading digits right'] ?? []);
  return {
    'refuse a code with 0 right leading digits (median)': `${a.p50.toFixed(0)} ns`,
    'refuse a code with 5 right leading digits (median)': `${b.p50.toFixed(0)} ns`,
    difference: `${(((b.p50 - a.p50) / a.p50) * 100).toFixed(1)} % (HMACs of both are compared with crypto.timingSafeEqual)`,
  };
}
