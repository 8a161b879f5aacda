import type { Session } from './auth.js';

/** What a view is given: where to draw, who is signed in, and how to leave it. */
export interface ViewContext {
  readonly main: HTMLElement;
  readonly session: Session;
  /** The session ran out (a 401, an expired feed): the app shows the sign-in. */
  readonly onSessionEnded: () => void;
  /** Goes to another view of the app (`/app/...`) without reloading the page. */
  readonly navigate: (path: string) => void;
}

/** A shown view; calling it stops the view's timers and live feeds. */
export type StopView = () => void;

/** `href` of a link inside the app: a click on it is routed without a reload (see main.ts). */
export function appLink(path: string): { href: string; 'data-route': string } {
  return { href: path, 'data-route': '' };
}
