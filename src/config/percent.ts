/** 0.1 from "10%"; undefined when the text is not a percentage. */
export function parsePercent(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$/.exec(text);
  // toPrecision: 99.9 / 100 is 0.9990000000000001 in binary, past a range that ends at 0.999.
  return m ? Number((Number(m[1]) / 100).toPrecision(15)) : undefined;
}

/** "10%" from 0.1. */
export function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}
