/**
 * mulberry32: a tiny seeded generator of floats in [0, 1) for randomized tests, fuzzing and
 * benchmark inputs, so every run draws the same cases. Not for keys or anything secret
 * (core/rng.ts's SeededRng is the byte source for reproducible lab runs).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A random topic or filter of 1–4 levels drawn from `alphabet`; nothing follows a `#` level. */
export function randomLevels(rnd: () => number, alphabet: readonly string[]): string {
  const out: string[] = [];
  for (let n = 1 + Math.floor(rnd() * 4); out.length < n;) {
    const level = alphabet[Math.floor(rnd() * alphabet.length)] as string;
    out.push(level);
    if (level === '#') break;
  }
  return out.join('/') || randomLevels(rnd, alphabet);
}
