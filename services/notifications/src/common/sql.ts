/** The NOTIFY channel that wakes delivery workers when deliveries are due. */
export function deliveryChannel(schema: string): string {
  return `kkb_webhooks_${schema.replace(/"/g, '')}`;
}

/** Dotted region code from a compact prefix: `1610` → `16.10`, `1610052041` → `16.10.05.2041`. */
export function dottedRegion(compact: string): string {
  const parts = [compact.slice(0, 2), compact.slice(2, 4), compact.slice(4, 6), compact.slice(6)];
  return parts.filter(Boolean).join('.');
}
