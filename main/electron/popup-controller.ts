/**
 * The approval popup: appears when a call starts waiting (if the alert mode includes the
 * popup) and hides when nothing waits any more. It shows without taking focus, so a
 * person typing elsewhere cannot approve a call by accident with a stray Enter; opening
 * it from the tray or a notification focuses it.
 */
import type { PendingTracker } from './pending-tracker.ts';
import { popupPosition, type Rect } from './popup-position.ts';
import type { AlertMode } from './settings.ts';

/** The part of a BrowserWindow the controller uses. */
export interface PopupWindowLike {
  isDestroyed(): boolean;
  isVisible(): boolean;
  getSize(): number[];
  setPosition(x: number, y: number): void;
  /** Show without focus. */
  showInactive(): void;
  show(): void;
  focus(): void;
  hide(): void;
}

export interface PopupEnvironment {
  platform: NodeJS.Platform;
  createWindow(): PopupWindowLike;
  /** The tray icon's bounds, or undefined where the platform does not report them. */
  trayBounds(): Rect | undefined;
  /** The work area of the display the popup should appear on (tray's display, else the cursor's). */
  workArea(near: Rect | undefined): Rect;
}

export class PopupController {
  private readonly tracker: PendingTracker;
  private readonly env: PopupEnvironment;
  private readonly mode: () => AlertMode;
  private window: PopupWindowLike | undefined;
  private readonly onAdded = () => {
    if (this.mode() !== 'notification') this.show({ focus: false });
  };
  private readonly onChanged = () => {
    if (this.tracker.count === 0) this.hide();
  };

  constructor(options: { tracker: PendingTracker; env: PopupEnvironment; mode: () => AlertMode }) {
    this.tracker = options.tracker;
    this.env = options.env;
    this.mode = options.mode;
  }

  start(): void {
    this.tracker.on('added', this.onAdded);
    this.tracker.on('changed', this.onChanged);
  }

  get visible(): boolean {
    const w = this.window;
    return w !== undefined && !w.isDestroyed() && w.isVisible();
  }

  /** Positions and shows the popup; `focus` when the person asked for it. */
  show({ focus }: { focus: boolean }): void {
    let w = this.window;
    if (!w || w.isDestroyed()) {
      w = this.env.createWindow();
      this.window = w;
    }
    if (!w.isVisible()) {
      const [width = 400, height = 520] = w.getSize();
      const trayBounds = this.env.trayBounds();
      const { x, y } = popupPosition({ platform: this.env.platform, size: { width, height }, trayBounds, workArea: this.env.workArea(trayBounds) });
      w.setPosition(x, y);
    }
    if (focus) {
      w.show();
      w.focus();
    } else if (!w.isVisible()) {
      w.showInactive();
    }
  }

  hide(): void {
    const w = this.window;
    if (w && !w.isDestroyed() && w.isVisible()) w.hide();
  }

  stop(): void {
    this.tracker.off('added', this.onAdded);
    this.tracker.off('changed', this.onChanged);
  }
}
