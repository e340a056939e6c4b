/**
 * Fake Electron pieces for the shell's unit tests: the Electron binary cannot run here,
 * so the tray, windows and notifications are stand-ins that record what the shell asked
 * of them. Everything else in these tests (the core, its queue, the control API) is real.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { PopupWindowLike } from '../../main/electron/popup-controller.ts';
import type { Rect } from '../../main/electron/popup-position.ts';
import type { TrayFactory, TrayLike } from '../../main/electron/tray-controller.ts';

/** A tray image stand-in: just the count it was drawn for. */
export interface FakeImage {
  count: number;
}

export interface FakeMenu {
  template: MenuItemConstructorOptions[];
}

export class FakeTray implements TrayLike<FakeImage, FakeMenu> {
  image: FakeImage;
  images: FakeImage[] = [];
  tooltip = '';
  title = '';
  menu: FakeMenu | undefined;
  menus = 0;
  destroyed = false;
  clickListeners: Array<() => void> = [];
  trayBounds: Rect | undefined;

  constructor(image: FakeImage) {
    this.image = image;
  }
  setImage(image: FakeImage): void {
    this.image = image;
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
    this.menus++;
  }
  onClick(listener: () => void): void {
    this.clickListeners.push(listener);
  }
  bounds(): Rect | undefined {
    return this.trayBounds;
  }
  destroy(): void {
    this.destroyed = true;
  }
  click(): void {
    for (const listener of this.clickListeners) listener();
  }
  /** The menu item with this id (searching submenus too). */
  item(id: string): MenuItemConstructorOptions | undefined {
    const find = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions | undefined => {
      for (const item of items) {
        if (item.id === id) return item;
        if (Array.isArray(item.submenu)) {
          const inner = find(item.submenu as MenuItemConstructorOptions[]);
          if (inner) return inner;
        }
      }
      return undefined;
    };
    return this.menu ? find(this.menu.template) : undefined;
  }
  /** Clicks a menu item the way Electron would (its click handler, no arguments needed here). */
  clickItem(id: string): void {
    const item = this.item(id);
    if (!item?.click) throw new Error(`no clickable menu item ${id}`);
    (item.click as () => void)();
  }
  labels(): string[] {
    return (this.menu?.template ?? []).filter((i) => i.type !== 'separator').map((i) => String(i.label));
  }
}

export function fakeTrayFactory(options: { usesTitle?: boolean } = {}): TrayFactory<FakeImage, FakeMenu> & { trays: FakeTray[] } {
  const trays: FakeTray[] = [];
  return {
    trays,
    usesTitle: options.usesTitle ?? false,
    image: (count) => ({ count }),
    createTray: (image) => {
      const tray = new FakeTray(image);
      trays.push(tray);
      return tray;
    },
    buildMenu: (template) => ({ template }),
  };
}

export class FakePopupWindow implements PopupWindowLike {
  visible = false;
  focused = false;
  destroyed = false;
  position: [number, number] | undefined;
  size: [number, number];
  shows: Array<'inactive' | 'focused'> = [];
  hides = 0;

  constructor(size: [number, number] = [420, 560]) {
    this.size = size;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isVisible(): boolean {
    return this.visible;
  }
  getSize(): number[] {
    return [...this.size];
  }
  setPosition(x: number, y: number): void {
    this.position = [x, y];
  }
  showInactive(): void {
    this.visible = true;
    this.shows.push('inactive');
  }
  show(): void {
    this.visible = true;
    this.shows.push('focused');
  }
  focus(): void {
    this.focused = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
    this.hides++;
  }
}

/** A manual clock for timers the code under test schedules through injected functions. */
export class ManualTimers {
  private now = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
  get scheduled(): number {
    return this.pending.size;
  }
}
