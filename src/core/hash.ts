/** Two hex digits per byte value: Number#toString(16) and padStart cost most of a hash. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const hex32 = (h: number): string => HEX[(h >>> 24) & 255]! + HEX[(h >>> 16) & 255]! + HEX[(h >>> 8) & 255]! + HEX[h & 255]!;

/**
 * A short, stable, non-cryptographic digest (64-bit FNV-1a over UTF-16 units) for proposal ids.
 * Collisions only matter within one console's queue, where 64 bits are plenty.
 */
export function shortHash(text: string, length = 12): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x84222325 | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 7), 0x01000193);
  }
  return (hex32(h1) + hex32(h2)).slice(0, length);
}
