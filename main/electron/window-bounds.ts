/**
 * Restoring the main window where the person left it, unless that place is gone (a
 * monitor was unplugged): then the default size, centred.
 */
import type { Rect } from './popup-position.ts';
import type { WindowBounds } from './settings.ts';

export const DEFAULT_MAIN_SIZE = { width: 1100, height: 760 };

/** How much of the window must be on a screen to count as visible (a title bar's worth). */
const MIN_VISIBLE = { width: 120, height: 40 };

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

export interface RestoredBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export function restoreBounds(saved: WindowBounds | undefined, workAreas: Rect[]): RestoredBounds {
  if (!saved) return { ...DEFAULT_MAIN_SIZE, maximized: false };
  const area = workAreas.find((a) => {
    const o = overlap(saved, a);
    return o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height;
  });
  if (!area) return { width: Math.min(saved.width, DEFAULT_MAIN_SIZE.width), height: Math.min(saved.height, DEFAULT_MAIN_SIZE.height), maximized: saved.maximized };
  const width = Math.min(saved.width, area.width);
  const height = Math.min(saved.height, area.height);
  // Keep the title bar reachable: never above the work area.
  const y = Math.max(saved.y, area.y);
  return { x: saved.x, y, width, height, maximized: saved.maximized };
}
