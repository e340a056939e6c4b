/**
 * Hash routes (`#/history`, `#/popup`): they work from a file, a custom protocol or
 * `airlock serve` alike, and let the tray window load the approval card alone.
 */
import { useSyncExternalStore } from 'react';

export const ROUTES = ['approvals', 'history', 'policy', 'servers', 'clients', 'connect', 'popup'] as const;
export type Route = (typeof ROUTES)[number];

export interface Location {
  route: Route;
  /** What follows the route, e.g. an entry id in `#/history/<id>`. */
  param: string | undefined;
}

export function parseHash(hash: string): Location {
  const [path = ''] = hash.replace(/^#\/?/, '').split('?');
  const [first, ...rest] = path.split('/');
  const route = (ROUTES as readonly string[]).includes(first ?? '') ? (first as Route) : 'approvals';
  return { route, param: rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined };
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseHash(hash);
}

export function href(route: Route, param?: string): string {
  return `#/${route}${param ? `/${encodeURIComponent(param)}` : ''}`;
}

export function navigate(route: Route, param?: string): void {
  location.hash = href(route, param);
}
