/**
 * A strict XML 1.0 well-formedness check for the SVG files the plots write (no DOM in Node):
 * one root element, every tag closed in order, attributes quoted and unique, only the five
 * predefined entities or character references, no raw `<` or `&` in text, no character XML
 * forbids. Returns the elements in document order (tag, attributes with entities decoded, text).
 */
export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  /** The element's own text (entities decoded), children's text excluded. */
  text: string;
  parent: XmlElement | null;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s)) throw new Error(`${where}: a character XML forbids`);
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) throw new Error(`${where}: a lone surrogate`);
  if (s.includes('<')) throw new Error(`${where}: a raw <`);
  return s.replace(/&([^;]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`${where}: a raw & (${m.slice(0, 12)})`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const num = /^#x([0-9a-fA-F]+)$/.exec(name) ?? /^#([0-9]+)$/.exec(name);
    if (!num) throw new Error(`${where}: unknown entity &${name};`);
    return String.fromCodePoint(parseInt(num[1]!, name.startsWith('#x') ? 16 : 10));
  });
}

export function parseXml(doc: string): XmlElement[] {
  let s = doc.replace(/^<\?xml[^?]*\?>\s*/, '');
  const out: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let rootDone = false;
  while (s.length > 0) {
    if (s.startsWith('<!--')) {
      const end = s.indexOf('-->');
      if (end < 0) throw new Error('unclosed comment');
      s = s.slice(end + 3);
    } else if (s.startsWith('</')) {
      const m = /^<\/([A-Za-z_:][\w.:-]*)\s*>/.exec(s);
      if (!m) throw new Error(`bad end tag near ${s.slice(0, 30)}`);
      const open = stack.pop();
      if (!open || open.tag !== m[1]) throw new Error(`</${m[1]}> closes <${open?.tag ?? 'nothing'}>`);
      if (stack.length === 0) rootDone = true;
      s = s.slice(m[0].length);
    } else if (s.startsWith('<')) {
      if (rootDone) throw new Error('content after the root element');
      const name = NAME.exec(s.slice(1));
      if (!name) throw new Error(`bad tag near ${s.slice(0, 30)}`);
      let rest = s.slice(1 + name[0].length);
      const attrs: Record<string, string> = {};
      for (;;) {
        const a = /^\s+([A-Za-z_:][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(rest);
        if (!a) break;
        if (a[1]! in attrs) throw new Error(`<${name[0]}>: attribute ${a[1]} twice`);
        attrs[a[1]!] = decode(a[3] ?? a[4]!, `<${name[0]} ${a[1]}>`);
        rest = rest.slice(a[0].length);
      }
      const close = /^\s*(\/?)>/.exec(rest);
      if (!close) throw new Error(`<${name[0]}>: bad attributes near ${rest.slice(0, 30)}`);
      const e: XmlElement = { tag: name[0], attrs, text: '', parent: stack[stack.length - 1] ?? null };
      if (!e.parent && out.length > 0) throw new Error('two root elements');
      out.push(e);
      if (close[1] !== '/') stack.push(e);
      else if (stack.length === 0) rootDone = true;
      s = rest.slice(close[0].length);
    } else {
      const end = s.indexOf('<');
      const text = end < 0 ? s : s.slice(0, end);
      const top = stack[stack.length - 1];
      if (!top) {
        if (text.trim() !== '') throw new Error(`text outside the root element: ${text.slice(0, 30)}`);
      } else {
        top.text += decode(text, `text in <${top.tag}>`);
      }
      s = end < 0 ? '' : s.slice(end);
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]!.tag}> is never closed`);
  if (out.length === 0) throw new Error('no root element');
  return out;
}
