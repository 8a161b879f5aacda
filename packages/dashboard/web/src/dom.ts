/** A tiny element builder: no framework, no inline styles (the CSP forbids them). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** The element with `id`; throws when the page lacks it (a build mistake, not a runtime condition). */
export function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node;
}

/** Shows `message` in the page's banner (a lost connection, an error), or hides it with undefined. */
export function setBanner(message: string | undefined, kind: 'error' | 'warning' = 'error'): void {
  const banner = byId('banner');
  banner.hidden = message === undefined;
  banner.textContent = message ?? '';
  banner.className = `banner banner-${kind}`;
}

/**
 * Date and time in the browser's locale. One formatter, made once: `Date.toLocaleString()` builds a
 * new one on every call, which cost a 64-bed ward view over 100 ms a second (docs/BENCHMARKS.md).
 */
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function dateTimeText(ms: number): string {
  return DATE_TIME.format(ms);
}

export function timeText(ms: number): string {
  return TIME.format(ms);
}
