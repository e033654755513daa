import type { VerificationRecord } from '../../functions/domain/ports';

/**
 * An item without `seq`, its write counter (raised by every write, so a rollback raises it too):
 * what "the number exactly as it was" compares. Tests that care check `seq` on its own.
 */
export function withoutSeq(item: VerificationRecord | undefined): Omit<VerificationRecord, 'seq'> | undefined {
  if (!item) return item;
  const { seq: _seq, ...rest } = item;
  return rest;
}
