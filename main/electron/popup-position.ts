/**
 * Where the approval popup goes. On macOS and Windows it hangs off the tray icon, on the
 * side of the screen the menu bar or taskbar is on. Linux trays do not report their bounds
 * (Electron returns zeros), so there the popup is a normal window centred on the screen.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PopupPlacement {
  platform: NodeJS.Platform;
  size: { width: number; height: number };
  /** The tray icon's bounds in screen coordinates, when the platform reports them. */
  trayBounds: Rect | undefined;
  /** The work area (screen minus menu bar, dock, taskbar) of the display the popup goes on. */
  workArea: Rect;
}

/** Gap between the popup and the tray or the screen edge. */
export const POPUP_MARGIN = 8;

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, Math.max(min, max)));
}

export function hasUsableTrayBounds(bounds: Rect | undefined): bounds is Rect {
  return bounds !== undefined && bounds.width > 0 && bounds.height > 0;
}

export function centredPosition(size: { width: number; height: number }, area: Rect): { x: number; y: number } {
  return {
    x: Math.round(area.x + (area.width - size.width) / 2),
    y: Math.round(area.y + (area.height - size.height) / 2),
  };
}

export function popupPosition({ platform, size, trayBounds, workArea }: PopupPlacement): { x: number; y: number } {
  if (platform === 'linux' || !hasUsableTrayBounds(trayBounds)) return centredPosition(size, workArea);
  const { width, height } = size;
  const area = workArea;
  const trayCx = trayBounds.x + trayBounds.width / 2;
  const trayCy = trayBounds.y + trayBounds.height / 2;
  const minX = area.x + POPUP_MARGIN;
  const maxX = area.x + area.width - width - POPUP_MARGIN;
  const minY = area.y + POPUP_MARGIN;
  const maxY = area.y + area.height - height - POPUP_MARGIN;

  // The side the tray sits on: outside the work area where the bar is (menu bar, taskbar);
  // for an auto-hiding taskbar the tray overlaps the work area, so take the nearer half.
  let side: 'top' | 'bottom' | 'left' | 'right';
  if (trayBounds.y + trayBounds.height <= area.y) side = 'top';
  else if (trayBounds.y >= area.y + area.height) side = 'bottom';
  else if (trayBounds.x >= area.x + area.width) side = 'right';
  else if (trayBounds.x + trayBounds.width <= area.x) side = 'left';
  else side = trayCy < area.y + area.height / 2 ? 'top' : 'bottom';

  let x: number;
  let y: number;
  switch (side) {
    case 'top':
      x = trayCx - width / 2;
      y = Math.max(area.y, trayBounds.y + trayBounds.height) + POPUP_MARGIN;
      break;
    case 'bottom':
      x = trayCx - width / 2;
      y = Math.min(area.y + area.height, trayBounds.y) - height - POPUP_MARGIN;
      break;
    case 'right':
      x = area.x + area.width - width - POPUP_MARGIN;
      y = trayCy - height / 2;
      break;
    case 'left':
      x = area.x + POPUP_MARGIN;
      y = trayCy - height / 2;
      break;
  }
  return { x: Math.round(clamp(x, minX, maxX)), y: Math.round(clamp(y, minY, maxY)) };
}
