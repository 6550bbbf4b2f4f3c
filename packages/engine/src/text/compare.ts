/** Code-point order for the ASCII names the inventory admits (tags, repositories). */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const isDigit = (code: number): boolean => code >= DIGIT_0 && code <= DIGIT_9;

/**
 * Numeric-aware name order ("build-9" < "build-10"): runs of digits compare by value (leading
 * zeros ignored, then the shorter run first), everything else by code point.
 */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      let ej = j;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      let si = i;
      while (si < ei - 1 && a.charCodeAt(si) === DIGIT_0) si++;
      let sj = j;
      while (sj < ej - 1 && b.charCodeAt(sj) === DIGIT_0) sj++;
      const lengthDelta = ei - si - (ej - sj);
      if (lengthDelta !== 0) return lengthDelta < 0 ? -1 : 1;
      for (let k = 0; k < ei - si; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d < 0 ? -1 : 1;
      }
      if (ei - i !== ej - j) return ei - i < ej - j ? -1 : 1; // equal values: the shorter run first
      i = ei;
      j = ej;
    } else {
      if (ca !== cb) return ca < cb ? -1 : 1;
      i++;
      j++;
    }
  }
  return a.length - i - (b.length - j) < 0 ? -1 : a.length - i === b.length - j ? 0 : 1;
}
