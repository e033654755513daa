/**
 * The names and values of one DynamoDB command's expressions, bound where each clause is
 * written: `x.name('ttl')` gives `#ttl` and records it, `x.value('now', now)` gives `:now` and
 * records it. So the command carries exactly the placeholders its expressions use (DynamoDB
 * refuses unused ones), and `ttl`, a reserved word, is never written bare.
 */
export class ExpressionAttributes<Attribute extends string> {
  private readonly names: Record<string, Attribute> = {};
  private readonly values: Record<string, unknown> = {};

  name(attribute: Attribute): string {
    this.names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  }

  value(key: string, value: unknown): string {
    const placeholder = `:${key}`;
    if (placeholder in this.values && this.values[placeholder] !== value) throw new Error(`${placeholder} bound to two values`);
    this.values[placeholder] = value;
    return placeholder;
  }

  /** For the command: `ExpressionAttributeNames` and `ExpressionAttributeValues`, each left out when empty. */
  forCommand(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...(Object.keys(this.names).length > 0 && { ExpressionAttributeNames: { ...this.names } }),
      ...(Object.keys(this.values).length > 0 && { ExpressionAttributeValues: { ...this.values } }),
    };
  }
}
