/** A compact region code ('1610052041') as the dotted code the registry shows ('16.10.05.2041'). */
export function dottedRegion(compact: string): string {
  const c = compact.replace(/\./g, '');
  const parts = [c.slice(0, 2), c.slice(2, 4), c.slice(4, 6), c.slice(6)].filter((p) => p);
  return parts.join('.');
}
