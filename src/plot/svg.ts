/**
 * A small SVG tree that the plots are built as: pure data, so the same plot renders to a string
 * (the CLI writes a standalone .svg file) or to DOM elements (the web page, see web/dom.ts).
 */
export interface SvgNode {
  tag: string;
  attrs: Record<string, string | number>;
  children: (SvgNode | string)[];
}

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** An element; string children are text. */
export function el(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: (SvgNode | string | null | undefined)[]): SvgNode {
  const a: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a[k] = v;
  return { tag, attrs: a, children: children.filter((c): c is SvgNode | string => c !== null && c !== undefined) };
}

/**
 * Text made safe for XML 1.0: characters XML cannot hold at all, even escaped (C0 controls other
 * than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates), are shown as their Unicode control pictures or
 * U+FFFD; then & < > " are escaped.
 */
export function xmlText(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) out += String.fromCodePoint(0x2400 + c);
    else if (c === 0x7f) out += '\u2421';
    else if ((c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) out += '\ufffd';
    else if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else out += ch;
  }
  return out;
}

/** Numbers in coordinates: at most two decimals, no trailing zeros. */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function attrText(v: string | number): string {
  return typeof v === 'number' ? num(v) : xmlText(v).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** The tree as SVG markup; the root gets the SVG namespace, so the string is a standalone document. */
export function renderSvg(root: SvgNode): string {
  const parts: string[] = [];
  const walk = (n: SvgNode, top: boolean): void => {
    const attrs = top && n.attrs['xmlns'] === undefined ? { xmlns: SVG_NS, ...n.attrs } : n.attrs;
    parts.push(`<${n.tag}`);
    for (const [k, v] of Object.entries(attrs)) parts.push(` ${k}="${attrText(v)}"`);
    if (n.children.length === 0) {
      parts.push('/>');
      return;
    }
    parts.push('>');
    for (const c of n.children) {
      if (typeof c === 'string') parts.push(xmlText(c));
      else walk(c, false);
    }
    parts.push(`</${n.tag}>`);
  };
  walk(root, true);
  return parts.join('');
}

/** An SVG file's content: the XML declaration, the markup, a final newline. */
export function svgDocument(root: SvgNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderSvg(root)}\n`;
}

/** A token as a plot labels it: spaces made visible (␣), so a char-level space or a BPE piece with spaces can be seen. */
export function showToken(t: string): string {
  return t.replace(/ /g, '␣');
}

/** A label cut to `max` characters (code points) with an ellipsis; the full text belongs in a <title>. */
export function clip(label: string, max: number): string {
  const chars = [...label];
  return chars.length <= max ? label : chars.slice(0, Math.max(1, max - 1)).join('') + '…';
}

/** Nice tick values (1, 2, 5 × 10^k steps) covering [lo, hi], about n of them. */
export function ticks(lo: number, hi: number, n: number, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = Math.max(integer ? 1 : 0, (hi - lo) / Math.max(1, n));
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Labels for a set of ticks, in one unit for all of them: 0, 5k, 10k, 15k rather than 0, 5000,
 * 10k; 1.5M; 0.25. The unit is chosen by the largest tick.
 */
export function tickLabels(values: readonly number[]): string[] {
  const top = Math.max(0, ...values.map(Math.abs));
  const [div, unit] = top >= 1e6 ? [1e6, 'M'] : top >= 1e4 ? [1e3, 'k'] : [1, ''];
  return values.map((v) => (v === 0 ? '0' : `${Number((v / div).toPrecision(4))}${unit}`));
}

/** One number as a tick label (see tickLabels). */
export function tickLabel(v: number): string {
  return tickLabels([v])[0]!;
}
