import { beginSignIn, CALLBACK_PATH, completeSignIn, currentSession, signOut, type Session } from './auth.js';
import { showAlarmConsole } from './alarm-console.js';
import { byId, el, setBanner } from './dom.js';
import { showFleet } from './fleet-view.js';
import { showPatient } from './patient-view.js';
import { appLink, type StopView, type ViewContext } from './view.js';
import { showWard } from './ward-view.js';

/** A route: a pattern of `/app/...` and the view it shows, given the pattern's decoded captures. */
interface Route {
  readonly pattern: RegExp;
  readonly show: (context: ViewContext, params: readonly string[]) => StopView;
}

function message(main: HTMLElement, text: string): StopView {
  main.replaceChildren(el('p', { class: 'status' }, text));
  return () => undefined;
}

/** The ward to show: the one asked for when the token names it, else the token's first. */
function wardView(context: ViewContext, requested: string | undefined): StopView {
  const { wards } = context.session.claims;
  const ward = requested !== undefined && wards.includes(requested) ? requested : wards[0];
  if (ward === undefined) return message(context.main, 'Your account has no ward: ask an administrator.');
  return showWard(context, ward);
}

const ROUTES: readonly Route[] = [
  { pattern: /^\/app\/?$/, show: (context) => wardView(context, undefined) },
  { pattern: /^\/app\/wards\/([^/]+)\/?$/, show: (context, [ward]) => wardView(context, ward) },
  { pattern: /^\/app\/patients\/([^/]+)\/?$/, show: (context, [id]) => showPatient(context, id ?? '') },
  { pattern: /^\/app\/alarms\/?$/, show: (context) => showAlarmConsole(context) },
  { pattern: /^\/app\/devices\/?$/, show: (context) => showFleet(context) },
];

/** A path segment decoded, or undefined when its percent-escapes are malformed. */
function decodePart(part: string | undefined): string | undefined {
  if (part === undefined) return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

const NOT_FOUND: Route['show'] = ({ main }) => message(main, 'There is no such page: choose a view above.');

function showSignIn(problem?: string): void {
  byId('nav').replaceChildren();
  byId('who').replaceChildren();
  const button = el('button', { id: 'sign-in', type: 'button', class: 'primary' }, 'Sign in');
  button.addEventListener('click', () => {
    button.disabled = true;
    beginSignIn().catch((err: unknown) => {
      button.disabled = false;
      setBanner(`The sign-in cannot start: ${String(err)}`);
    });
  });
  byId('main').replaceChildren(
    el(
      'section',
      { class: 'sign-in' },
      el('h1', {}, 'Sign in to Wardstream'),
      ...(problem === undefined ? [] : [el('p', { class: 'error', role: 'alert', id: 'sign-in-error' }, problem)]),
      button,
    ),
  );
}

/** The signed-in app: header (user, ward choice, navigation) and the view of the current path. */
class App {
  private stop: StopView | undefined;

  constructor(private readonly session: Session) {}

  start(): void {
    const { claims } = this.session;
    const out = el('button', { type: 'button', id: 'sign-out' }, 'Sign out');
    out.addEventListener('click', () => {
      this.end();
      location.assign('/app/');
    });
    const who = byId('who');
    who.replaceChildren(el('span', {}, `${claims.sub} · ${claims.roles.join(', ')}`), out);
    if (claims.wards.length > 1) {
      const select = el('select', { id: 'ward', 'aria-label': 'Ward' });
      for (const w of claims.wards) select.append(el('option', { value: w }, w));
      select.addEventListener('change', () => this.navigate(`/app/wards/${encodeURIComponent(select.value)}`));
      who.prepend(select);
    }
    byId('nav').replaceChildren(
      el('a', { ...appLink('/app/'), 'data-nav': 'ward' }, 'Ward'),
      el('a', { ...appLink('/app/alarms'), 'data-nav': 'alarms' }, 'Alarms'),
      el('a', { ...appLink('/app/devices'), 'data-nav': 'devices' }, 'Devices'),
    );
    // Links marked data-route change the view without a reload (modifier keys keep the browser's way).
    document.addEventListener('click', (e) => {
      const link = e.target instanceof Element ? e.target.closest('a[data-route]') : null;
      if (link === null || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      this.navigate(link.getAttribute('href') ?? '/app/');
    });
    window.addEventListener('popstate', () => this.render());
    this.render();
  }

  navigate(path: string): void {
    if (path !== location.pathname + location.search) history.pushState(null, '', path);
    this.render();
  }

  private render(): void {
    this.stop?.();
    setBanner(undefined);
    const path = location.pathname;
    const context: ViewContext = {
      main: byId('main'),
      session: this.session,
      onSessionEnded: () => {
        this.end();
        showSignIn('Your session has ended: sign in again.');
      },
      navigate: (to) => this.navigate(to),
    };
    for (const route of ROUTES) {
      const match = route.pattern.exec(path);
      if (match === null) continue;
      const params = match.slice(1).map(decodePart);
      if (params.includes(undefined)) break; // A malformed escape (`%E0`): no such page.
      this.stop = route.show(context, params as string[]);
      this.markCurrent(path);
      return;
    }
    this.stop = NOT_FOUND(context, []);
    this.markCurrent(path);
  }

  private markCurrent(path: string): void {
    const select = document.getElementById('ward');
    const ward = /^\/app\/wards\/([^/]+)/.exec(path)?.[1];
    const wardName = ward === undefined ? undefined : decodePart(ward);
    if (select instanceof HTMLSelectElement && wardName !== undefined) select.value = wardName;
    for (const link of byId('nav').querySelectorAll('a')) {
      const href = link.getAttribute('href') ?? '';
      const current = href === '/app/' ? path === '/app/' || path.startsWith('/app/wards/') : path.startsWith(href);
      if (current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  private end(): void {
    this.stop?.();
    this.stop = undefined;
    signOut();
  }
}

async function start(): Promise<void> {
  if (location.pathname === CALLBACK_PATH) {
    try {
      const session = await completeSignIn(new URLSearchParams(location.search));
      history.replaceState(null, '', '/app/');
      new App(session).start();
    } catch (err) {
      history.replaceState(null, '', '/app/');
      showSignIn(err instanceof Error ? err.message : String(err));
    }
    return;
  }
  const session = currentSession();
  if (session === undefined) showSignIn();
  else new App(session).start();
}

void start();
