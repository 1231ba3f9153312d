// Small DOM helpers for the page (no framework).
import { SVG_NS, type SvgNode } from '../src/plot/svg.js';

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page: no element #${id}`);
  return e as T;
}

/** An element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

/** A plot built by src/plot (a plain tree) as SVG elements of this page. */
export function toDom(node: SvgNode): SVGElement {
  const e = document.createElementNS(SVG_NS, node.tag) as SVGElement;
  for (const [k, v] of Object.entries(node.attrs)) e.setAttribute(k, String(v));
  for (const c of node.children) e.append(typeof c === 'string' ? c : toDom(c));
  return e;
}

export function showError(el: HTMLElement, e: unknown): void {
  el.textContent = e instanceof Error ? e.message : String(e);
  el.hidden = false;
}

export function numberInput(id: string): number {
  return Number(byId<HTMLInputElement>(id).value);
}

/** Saves bytes as a download named `name`. */
export function download(name: string, bytes: Uint8Array | string, type: string): void {
  const blob = new Blob([bytes as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
