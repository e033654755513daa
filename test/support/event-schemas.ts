import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft4 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

/**
 * docs/events/*.schema.json (JSON Schema Draft 4, the dialect the EventBridge schema registry
 * takes), compiled once, by title (the detail-type).
 */
const dir = join(__dirname, '..', '..', 'docs', 'events');
export const ajv = new AjvDraft4({ allErrors: true, strict: true });
addFormats(ajv);
export const eventSchemas = new Map(
  readdirSync(dir).map((file) => {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { title: string };
    return [schema.title, ajv.compile(schema)] as const;
  }),
);

/** What EventBridge accepted (the AWS stand-in's record of it), as a rule's target receives it. */
export function deliveredEvent(accepted: { eventId: string; detailType: string; source: string; time: string; resources: string[]; detail: unknown }) {
  return {
    version: '0',
    id: accepted.eventId,
    'detail-type': accepted.detailType,
    source: accepted.source,
    account: '123456789012',
    time: accepted.time,
    region: 'ap-northeast-2',
    resources: accepted.resources,
    detail: accepted.detail,
  };
}

/** Why each event does not match its schema (empty when all do). */
export function schemaViolations(events: ReadonlyArray<Parameters<typeof deliveredEvent>[0]>): string[] {
  return events.flatMap((event) => {
    const validate = eventSchemas.get(event.detailType);
    if (!validate) return [`${event.detailType}: no schema`];
    return validate(deliveredEvent(event)) ? [] : [`${event.detailType}: ${ajv.errorsText(validate.errors)}`];
  });
}
