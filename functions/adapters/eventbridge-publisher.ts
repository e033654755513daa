import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type LifecycleEvent } from '../domain/lifecycle-events';
import { logger } from './observability';

/** PutEvents takes at most 10 entries a call (the EventBridge API reference, PutEvents). */
export const PUT_EVENTS_MAX_ENTRIES = 10;

export interface PublishOptions {
  /** Rounds of PutEvents for the entries still failing, the first included. */
  readonly rounds: number;
  /** Wait before round n (n ≥ 2): `backoffMs × 2^(n-2)`. */
  readonly backoffMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Puts lifecycle events on the environment's EventBridge bus, in order, at most 10 a call.
 * PutEvents can answer 200 and still fail some entries (`FailedEntryCount`, each result in the
 * order of the entries): exactly those are tried again, and so is a whole call that was
 * refused as a whole. Whatever still fails after the last round comes back to the
 * caller (the events function hands it to its dead-letter queue), never dropped. Entries go out
in the order given; one tried again can land after a later one, so consumers order by
`sequence` (docs/data-model.md).
 */
export class EventBridgePublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    private readonly options: PublishOptions = { rounds: 4, backoffMs: 100 },
  ) {}

  /** @returns the events not published after every round, in their order (empty when all were). */
  async publish(events: readonly LifecycleEvent[]): Promise<LifecycleEvent[]> {
    let pending = [...events];
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let round = 1; round <= this.options.rounds && pending.length > 0; round += 1) {
      if (round > 1) await sleep(this.options.backoffMs * 2 ** (round - 2));
      const failed: LifecycleEvent[] = [];
      for (let i = 0; i < pending.length; i += PUT_EVENTS_MAX_ENTRIES) {
        const chunk = pending.slice(i, i + PUT_EVENTS_MAX_ENTRIES);
        failed.push(...(await this.putChunk(chunk)));
      }
      pending = failed;
    }
    return pending;
  }

  /** One PutEvents call; the events it did not accept. */
  private async putChunk(chunk: LifecycleEvent[]): Promise<LifecycleEvent[]> {
    const entries: PutEventsRequestEntry[] = chunk.map((event) => ({
      EventBusName: this.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.detail.occurredAt),
    }));
    try {
      const { FailedEntryCount, Entries } = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if (!FailedEntryCount) return [];
      // A result without an EventId failed (ErrorCode says why); results are in the entries' order.
      const failed = chunk.flatMap((event, i) => (Entries?.[i]?.EventId ? [] : [{ event, errorCode: Entries?.[i]?.ErrorCode ?? 'none' }]));
      logger.warn('PutEvents refused entries', { failed: failed.map(({ event, errorCode }) => ({ eventId: event.detail.eventId, errorCode })) });
      return failed.map(({ event }) => event);
    } catch (error) {
      // Throttled, AWS's own fault, no answer, or refused whole (access denied while a policy
      // propagates): the whole call again next round, and to the dead-letter queue after the last.
      logger.warn('PutEvents call failed', { errorCode: (error as { name?: string } | null)?.name ?? 'error', eventIds: chunk.map((e) => e.detail.eventId) });
      return chunk;
    }
  }
}
