import { beginSignIn, CALLBACK_PATH, completeSignIn, currentSession, signOut, type Session } from './auth.js';
import { byId, el, setBanner } from './dom.js';
import { showWard } from './ward-view.js';

const WARD_PATH = /^\/app\/wards\/([^/]+)\/?$/;

function showSignIn(problem?: string): void {
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

function showSession(session: Session): void {
  const { claims } = session;
  const out = el('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  out.addEventListener('click', () => {
    signOut();
    location.assign('/app/');
  });
  byId('who').replaceChildren(el('span', {}, `${claims.sub} · ${claims.roles.join(', ')}`), out);

  const main = byId('main');
  const requested = WARD_PATH.exec(location.pathname)?.[1];
  const wanted = requested === undefined ? undefined : decodeURIComponent(requested);
  const ward = wanted !== undefined && claims.wards.includes(wanted) ? wanted : claims.wards[0];
  if (ward === undefined) {
    main.replaceChildren(el('p', { class: 'status' }, 'Your account has no ward: ask an administrator.'));
    return;
  }
  const stop = showWard(main, session, ward, {
    onSessionEnded: () => {
      stop();
      signOut();
      showSignIn('Your session has ended: sign in again.');
    },
  });
  if (claims.wards.length > 1) {
    const select = el('select', { id: 'ward', 'aria-label': 'Ward' });
    for (const w of claims.wards)
      select.append(el('option', w === ward ? { value: w, selected: '' } : { value: w }, w));
    select.addEventListener('change', () => location.assign(`/app/wards/${encodeURIComponent(select.value)}`));
    byId('who').prepend(select);
  }
}

async function start(): Promise<void> {
  if (location.pathname === CALLBACK_PATH) {
    try {
      const session = await completeSignIn(new URLSearchParams(location.search));
      history.replaceState(null, '', '/app/');
      showSession(session);
    } catch (err) {
      history.replaceState(null, '', '/app/');
      showSignIn(err instanceof Error ? err.message : String(err));
    }
    return;
  }
  const session = currentSession();
  if (session === undefined) showSignIn();
  else showSession(session);
}

void start();
