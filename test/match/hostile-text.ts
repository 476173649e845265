/** Random text from pieces that the detectors' fast paths and prefilters must get right (xorshift: the same runs). */
export function hostile(seed: number, pieces: readonly string[], length: number): () => string {
  let state = seed;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  return () => {
    let out = '';
    const n = 1 + (next() % length);
    for (let i = 0; i < n; i++) out += pieces[next() % pieces.length];
    return out;
  };
}
