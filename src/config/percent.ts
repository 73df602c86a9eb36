/** 0.1 from "10%"; undefined when the text is not a percentage. */
export function parsePercent(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$/.exec(text);
  return m ? Number(m[1]) / 100 : undefined;
}

/** "10%" from 0.1. */
export function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}
