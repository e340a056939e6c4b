/**
 * The tray: an icon with the pending count, and a context menu that is always set,
 * because tray clicks are unreliable on some Linux desktops (the menu is the one way in
 * that works everywhere). Electron is injected, so the logic is tested with fakes.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { PendingCall } from '../../shared/api/contract.ts';
import type { PendingTracker } from './pending-tracker.ts';
import type { Rect } from './popup-position.ts';
import type { AlertMode } from './settings.ts';
import type { SignInNeed, SignInTracker } from './sign-in-tracker.ts';
import { badgeText } from './tray-icon.ts';

/** The part of Electron's Tray we use. */
export interface TrayLike<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(text: string): void;
  /** macOS shows this next to the icon; a no-op elsewhere. */
  setTitle(title: string): void;
  setContextMenu(menu: Menu): void;
  onClick(listener: () => void): void;
  /** Where the icon is on screen; zeros or undefined where the platform does not say (Linux). */
  bounds(): Rect | undefined;
  destroy(): void;
}

export interface TrayFactory<Image, Menu> {
  /** The icon for this many waiting calls (the count drawn in where there is no title). */
  image(count: number): Image;
  createTray(image: Image): TrayLike<Image, Menu>;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  /** True where the tray has a title (macOS): the count goes there instead of the icon. */
  readonly usesTitle: boolean;
}

export interface TrayActions {
  openPopup(): void;
  openMainWindow(): void;
  setPaused(paused: boolean): void;
  setAlertMode(mode: AlertMode): void;
  /** Undefined where the platform has no login items we can set. */
  setLaunchAtLogin?: (enabled: boolean) => void;
  /** Puts the `airlock` command on PATH (see main/core/cli-install); absent where not offered. */
  installCommand?: () => void;
  /** Starts sign-in to a remote server: its page in the system browser. */
  signIn?: (server: string) => void;
  /** Keeps sign-ins in a file when there is no keyring; absent where that choice does not arise. */
  setSecretsInFile?: (enabled: boolean) => void;
  quit(): void;
}

export interface TrayPreferences {
  alerts(): AlertMode;
  launchAtLogin(): boolean;
  secretsInFile?: () => boolean;
}

/** How many waiting calls the menu names before "and N more". */
export const MENU_PENDING_LIMIT = 5;

/** Menu labels treat `&` as a mnemonic marker on Windows and Linux. */
function label(text: string): string {
  return text.replaceAll('&', '&&');
}

export function pendingLabel(call: PendingCall): string {
  const who = call.client.name ?? call.client.id;
  return label(`${call.server} › ${call.tool} (${who})`);
}

export function tooltip(count: number, paused: boolean): string {
  const waiting = count === 0 ? 'no calls waiting' : count === 1 ? '1 call waiting' : `${count} calls waiting`;
  return `Airlock: ${waiting}${paused ? ' (paused: calls that ask are denied)' : ''}`;
}

export class TrayController<Image, Menu> {
  private readonly factory: TrayFactory<Image, Menu>;
  private readonly tracker: PendingTracker;
  private readonly actions: TrayActions;
  private readonly prefs: TrayPreferences;
  private readonly signIns: Pick<SignInTracker, 'list' | 'on' | 'off'> | undefined;
  private tray: TrayLike<Image, Menu> | undefined;
  private shownBadge: string | undefined;
  private readonly refreshListener = () => this.refresh();

  constructor(options: {
    factory: TrayFactory<Image, Menu>;
    tracker: PendingTracker;
    actions: TrayActions;
    prefs: TrayPreferences;
    /** Remote servers that need sign-in, each offered as a menu item. */
    signIns?: Pick<SignInTracker, 'list' | 'on' | 'off'>;
  }) {
    this.factory = options.factory;
    this.signIns = options.signIns;
    this.tracker = options.tracker;
    this.actions = options.actions;
    this.prefs = options.prefs;
  }

  start(): void {
    const count = this.tracker.count;
    this.tray = this.factory.createTray(this.factory.image(count));
    this.shownBadge = badgeText(count);
    // A click shows what needs the person: the waiting calls, else the main window.
    this.tray.onClick(() => (this.tracker.count > 0 ? this.actions.openPopup() : this.actions.openMainWindow()));
    this.tracker.on('changed', this.refreshListener);
    this.tracker.on('paused', this.refreshListener);
    this.signIns?.on('changed', this.refreshListener);
    this.refresh();
  }

  /** Redraws count, tooltip and menu from the tracker and the preferences. */
  refresh(): void {
    const tray = this.tray;
    if (!tray) return;
    const count = this.tracker.count;
    const badge = badgeText(count);
    if (!this.factory.usesTitle && badge !== this.shownBadge) {
      tray.setImage(this.factory.image(count));
      this.shownBadge = badge;
    }
    if (this.factory.usesTitle) tray.setTitle(count > 0 ? String(count) : '');
    tray.setToolTip(tooltip(count, this.tracker.paused));
    tray.setContextMenu(this.factory.buildMenu(this.menuTemplate()));
  }

  menuTemplate(): MenuItemConstructorOptions[] {
    const pending = this.tracker.list();
    const paused = this.tracker.paused;
    const alerts = this.prefs.alerts();
    const items: MenuItemConstructorOptions[] = [];
    if (pending.length === 0) {
      items.push({ id: 'pending-none', label: 'No calls waiting', enabled: false });
    } else {
      items.push({
        id: 'pending-open',
        label: pending.length === 1 ? 'Review 1 waiting call…' : `Review ${pending.length} waiting calls…`,
        click: () => this.actions.openPopup(),
      });
      for (const call of pending.slice(0, MENU_PENDING_LIMIT)) {
        items.push({ id: `pending:${call.id}`, label: pendingLabel(call), click: () => this.actions.openPopup() });
      }
      if (pending.length > MENU_PENDING_LIMIT) {
        items.push({ id: 'pending-more', label: `and ${pending.length - MENU_PENDING_LIMIT} more…`, click: () => this.actions.openPopup() });
      }
    }
    const signIn = this.actions.signIn;
    const needs: SignInNeed[] = signIn ? (this.signIns?.list() ?? []) : [];
    if (signIn && needs.length) {
      items.push({ type: 'separator' });
      for (const need of needs) items.push({ id: `sign-in:${need.server}`, label: label(`Sign in to ${need.server}…`), click: () => signIn(need.server) });
    }
    items.push({ type: 'separator' });
    items.push({ id: 'open', label: 'Open Airlock', click: () => this.actions.openMainWindow() });
    items.push({
      id: 'pause',
      label: 'Pause all (deny every call that asks)',
      type: 'checkbox',
      checked: paused,
      click: () => this.actions.setPaused(!paused),
    });
    const mode = (id: AlertMode, text: string): MenuItemConstructorOptions => ({
      id: `alerts:${id}`,
      label: text,
      type: 'radio',
      checked: alerts === id,
      click: () => this.actions.setAlertMode(id),
    });
    items.push({
      id: 'alerts',
      label: 'When a call waits',
      submenu: [mode('both', 'Show the popup and a notification'), mode('popup', 'Show the popup only'), mode('notification', 'Show a notification only')],
    });
    const setLaunchAtLogin = this.actions.setLaunchAtLogin;
    if (setLaunchAtLogin) {
      const enabled = this.prefs.launchAtLogin();
      items.push({ id: 'login', label: 'Start Airlock at login', type: 'checkbox', checked: enabled, click: () => setLaunchAtLogin(!enabled) });
    }
    const setSecretsInFile = this.actions.setSecretsInFile;
    if (setSecretsInFile) {
      const enabled = this.prefs.secretsInFile?.() ?? false;
      items.push({ id: 'secrets-file', label: 'Keep sign-ins in a file (no keyring found)', type: 'checkbox', checked: enabled, click: () => setSecretsInFile(!enabled) });
    }
    const installCommand = this.actions.installCommand;
    if (installCommand) items.push({ id: 'install-cli', label: 'Install the airlock command…', click: () => installCommand() });
    items.push({ type: 'separator' });
    items.push({ id: 'quit', label: 'Quit Airlock', click: () => this.actions.quit() });
    return items;
  }

  bounds(): Rect | undefined {
    return this.tray?.bounds();
  }

  destroy(): void {
    this.tracker.off('changed', this.refreshListener);
    this.tracker.off('paused', this.refreshListener);
    this.signIns?.off('changed', this.refreshListener);
    this.tray?.destroy();
    this.tray = undefined;
  }
}
