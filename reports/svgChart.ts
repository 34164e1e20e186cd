// The frame the report's weekly charts share: a column per week inside the margins, a linear value axis,
// coordinates rounded to 0.1 px, and an accessible standalone <svg> opening (no scripts, no external resources,
// so the chart survives e-mail clients and printing).
export interface ChartFrame {
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
  plotH: number;
  /** Width of one week's column. */
  slot: number;
  /** Vertical position of a value on the axis. */
  y(value: number): number;
  /** A coordinate as written in the SVG. */
  f(n: number): string;
  /** The <svg> opening with its title; `label` is already escaped. */
  open(label: string): string;
}

export function chartFrame(
  width: number,
  height: number,
  m: ChartFrame['margin'],
  columns: number,
  axis: { min: number; max: number },
): ChartFrame {
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  return {
    width,
    height,
    margin: m,
    plotH,
    slot: plotW / Math.max(1, columns),
    y: (v) => m.top + plotH - ((v - axis.min) / (axis.max - axis.min)) * plotH,
    f: (n) => String(Math.round(n * 10) / 10),
    open: (label) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}" font-family="Arial, sans-serif" font-size="11"><title>${label}</title>`,
  };
}
