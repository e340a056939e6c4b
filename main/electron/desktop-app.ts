/**
 * The desktop app: starts the same core as `airlock serve` and gives it a body: tray,
 * approval popup, notifications, main window, IPC bridge, settings. This file only wires
 * Electron to the pieces beside it; their logic is tested there, with fakes for Electron.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  type BrowserWindowConstructorOptions,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
  type NativeImage,
} from 'electron';
import { Airlock } from '../core/airlock.ts';
import { describeInstall, installCommand } from '../core/cli-install/command-installer.ts';
import { resolveHomeDir } from '../core/home/home.ts';
import { AlreadyRunningError } from '../core/home/instance-lock.ts';
import type { Logger } from '../core/logger.ts';
import { installProcessGuard } from '../core/process-guard.ts';
import { createAppProtocolHandler } from './app-protocol.ts';
import { openElectronSettingsStore } from './electron-settings-store.ts';
import { APP_ORIGIN, APP_SCHEME, CALL_CHANNEL, EVENT_CHANNEL, EXPORT_CHANNEL, SIGN_IN_CHANNEL } from './ipc-channels.ts';
import { createCallHandler, forwardEvents } from './ipc-guard.ts';
import { createExportHandler } from './history-export.ts';
import { CLI_FLAG } from './launch-mode.ts';
import { installQuitSequence, type QuitSequence } from './lifecycle.ts';
import { NotificationCoalescer } from './notification-coalescer.ts';
import { PendingTracker } from './pending-tracker.ts';
import { PopupController, type PopupWindowLike } from './popup-controller.ts';
import { SafeStorageSecrets, SECRETS_FILE } from './safe-storage-secrets.ts';
import { createSignInHandler, openSignIn, type SignInOptions } from './sign-in.ts';
import { SignInTracker, signInNotice } from './sign-in-tracker.ts';
import { hasUsableTrayBounds, type Rect } from './popup-position.ts';
import { DesktopSettings, MemoryStore, type AlertMode, type KeyValueStore } from './settings.ts';
import { TrayController, type TrayFactory } from './tray-controller.ts';
import { drawIcon, drawTrayIcon, encodePng } from './tray-icon.ts';
import { applyCsp, DESKTOP_CSP, hardenWebContents, permissionAllowed } from './web-security.ts';
import { restoreBounds } from './window-bounds.ts';

export const POPUP_SIZE = { width: 420, height: 560 };

export interface DesktopOptions {
  home?: string;
  /** Started at login: stay in the tray until the person opens a window. */
  hidden: boolean;
}

// Registered before `ready`, as Electron requires: a standard, secure scheme gives the UI
// a real origin (for the CSP's 'self' and module scripts) without a web server.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function fileLogger(dir: string): Logger {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const out = createWriteStream(join(dir, 'desktop.log'), { flags: 'a', mode: 0o600 });
  const line = (level: string, message: string) => {
    const text = `${new Date().toISOString()} ${level} ${message}\n`;
    out.write(text);
    if (!app.isPackaged) process.stderr.write(text);
  };
  return { info: (m) => line('info', m), warn: (m) => line('warn', m), error: (m) => line('error', m) };
}

function pngImage(reps: Array<{ size: number; scaleFactor: number; bitmap: () => Parameters<typeof encodePng>[0] }>): NativeImage {
  const [first, ...rest] = reps;
  const image = nativeImage.createFromBuffer(encodePng(first!.bitmap()), { scaleFactor: first!.scaleFactor });
  for (const rep of rest) image.addRepresentation({ scaleFactor: rep.scaleFactor, buffer: encodePng(rep.bitmap()) });
  return image;
}

function trayFactory(): TrayFactory<NativeImage, Menu> {
  const mac = process.platform === 'darwin';
  return {
    usesTitle: mac,
    image(count) {
      if (mac) {
        // A template image: macOS tints it for light and dark menu bars; the count is the title.
        const image = pngImage([
          { size: 16, scaleFactor: 1, bitmap: () => drawTrayIcon(16, 0, 'template') },
          { size: 32, scaleFactor: 2, bitmap: () => drawTrayIcon(32, 0, 'template') },
        ]);
        image.setTemplateImage(true);
        return image;
      }
      if (process.platform === 'linux') return pngImage([{ size: 32, scaleFactor: 1, bitmap: () => drawTrayIcon(32, count) }]);
      return pngImage([
        { size: 16, scaleFactor: 1, bitmap: () => drawTrayIcon(16, count) },
        { size: 32, scaleFactor: 2, bitmap: () => drawTrayIcon(32, count) },
      ]);
    },
    createTray(image) {
      const tray = new Tray(image);
      return {
        setImage: (i) => tray.setImage(i),
        setToolTip: (t) => tray.setToolTip(t),
        setTitle: (t) => tray.setTitle(t),
        setContextMenu: (m) => tray.setContextMenu(m),
        onClick: (listener) => {
          tray.on('click', listener);
        },
        destroy: () => tray.destroy(),
        bounds: () => tray.getBounds(),
      };
    },
    buildMenu: (template: MenuItemConstructorOptions[]) => Menu.buildFromTemplate(template),
  };
}

function applicationMenu(devTools: boolean): Menu {
  const template: MenuItemConstructorOptions[] = [];
  if (process.platform === 'darwin') template.push({ role: 'appMenu' });
  // The edit menu carries copy and paste shortcuts on macOS.
  template.push({ role: 'editMenu' });
  if (devTools) template.push({ role: 'viewMenu' });
  template.push({ role: 'windowMenu' });
  return Menu.buildFromTemplate(template);
}

export function startDesktop(options: DesktopOptions): void {
  const home = resolveHomeDir(options.home);
  // One home for both shells: Electron's userData is the Airlock home (ARCHITECTURE.md §3);
  // Chromium's own files go into a subfolder so they do not mix with Airlock's.
  app.setPath('userData', home);
  app.setPath('sessionData', join(home, 'electron'));

  // Keyed on userData: a second launch for the same home hands over to the first.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  let desktop: Desktop | undefined;
  app.on('second-instance', () => desktop?.openMainWindow());
  app.on('activate', () => desktop?.openMainWindow());
  // Closing every window keeps Airlock in the tray: it must keep guarding calls.
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, (url) => void shell.openExternal(url));
  });
  process.on('SIGINT', () => app.quit());
  process.on('SIGTERM', () => app.quit());

  app
    .whenReady()
    .then(async () => {
      desktop = await Desktop.start(home, options.hidden);
    })
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const title = err instanceof AlreadyRunningError ? 'Airlock is already running' : 'Airlock could not start';
      dialog.showErrorBox(title, message);
      app.exit(err instanceof AlreadyRunningError ? 2 : 1);
    });
}

class Desktop {
  private readonly airlock: Airlock;
  private readonly logger: Logger;
  private readonly settings: DesktopSettings;
  private readonly tracker: PendingTracker;
  private readonly signIns: SignInTracker;
  private readonly secrets: SafeStorageSecrets;
  private readonly signInOptions: SignInOptions;
  private readonly popup: PopupController;
  private readonly notifications: NotificationCoalescer;
  private readonly tray: TrayController<NativeImage, Menu>;
  private readonly quit: QuitSequence;
  private readonly ourContents = new Set<number>();
  private readonly rendererRoot = join(app.getAppPath(), 'dist', 'renderer');
  private readonly preload = join(__dirname, 'preload.cjs');
  private readonly devTools = !app.isPackaged;
  private mainWindow: BrowserWindow | undefined;
  private popupWindow: BrowserWindow | undefined;
  /** Kept referenced until dismissed, or a collected Notification loses its click handler. */
  private readonly liveNotifications = new Set<Notification>();

  static async start(home: string, hidden: boolean): Promise<Desktop> {
    const logger = fileLogger(join(home, 'logs'));
    installProcessGuard(logger);
    const settings = Desktop.openSettings(home, logger);
    // Sign-in secrets of remote servers: safeStorage, or memory only without a keyring (see safe-storage-secrets.ts).
    const secrets = await SafeStorageSecrets.open({
      safeStorage,
      platform: process.platform,
      file: join(home, SECRETS_FILE),
      fileAccepted: settings.get('secretsInFile'),
      logger,
    });
    const airlock = await Airlock.start({
      home,
      self: {
        command: process.execPath,
        // `electron .` in development needs the app folder; the packaged binary is the app.
        args: [...(process.defaultApp ? [app.getAppPath()] : []), CLI_FLAG],
      },
      version: app.getVersion(),
      logger,
      uiRoot: join(app.getAppPath(), 'dist', 'renderer'),
      secrets,
    });
    const desktop = new Desktop(airlock, logger, settings, secrets);
    await desktop.tracker.start();
    await desktop.signIns.start();
    logger.info(`Airlock ${app.getVersion()} desktop started: home ${home}, ${airlock.url}`);
    if (!hidden && !Desktop.openedAtLogin()) desktop.openMainWindow();
    return desktop;
  }

  private static openedAtLogin(): boolean {
    return process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
  }

  private static openSettings(home: string, logger: Logger): DesktopSettings {
    let store: KeyValueStore;
    try {
      store = openElectronSettingsStore(home);
    } catch (err) {
      logger.error(`desktop settings unavailable, using defaults: ${(err as Error).message}`);
      store = new MemoryStore();
    }
    return new DesktopSettings(store, (key, message) => logger.warn(`desktop setting ${key} was invalid and is reset: ${message}`));
  }

  private constructor(airlock: Airlock, logger: Logger, settings: DesktopSettings, secrets: SafeStorageSecrets) {
    this.airlock = airlock;
    this.logger = logger;
    this.settings = settings;
    this.secrets = secrets;
    this.signInOptions = { api: airlock.control, openExternal: (url) => shell.openExternal(url), logger };

    this.secureSession();
    const isOurWebContents = (id: number) => this.ourContents.has(id);
    ipcMain.handle(CALL_CHANNEL, createCallHandler({ api: airlock.control, isOurWebContents, logger }));
    ipcMain.handle(
      EXPORT_CHANNEL,
      createExportHandler<IpcMainInvokeEvent>({
        isOurWebContents,
        logger,
        exportStream: (format, filter) => airlock.stores.history.exportStream(format, filter),
        chooseFile: async (event, format) => {
          const options = {
            title: 'Export the Airlock history',
            defaultPath: join(app.getPath('downloads'), `airlock-history.${format}`),
            filters: [format === 'csv' ? { name: 'CSV', extensions: ['csv'] } : { name: 'JSON Lines', extensions: ['jsonl'] }],
          };
          const owner = BrowserWindow.fromWebContents(event.sender);
          const choice = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
          return choice.canceled ? undefined : choice.filePath;
        },
      }),
    );
    ipcMain.handle(SIGN_IN_CHANNEL, createSignInHandler({ ...this.signInOptions, isOurWebContents }));
    forwardEvents(airlock.control, EVENT_CHANNEL, () => this.windows().map((w) => w.webContents));
    Menu.setApplicationMenu(applicationMenu(this.devTools));

    this.tracker = new PendingTracker(airlock.control);
    const mode = (): AlertMode => this.settings.get('alerts');
    // Notifications listen first: "popup visible" must mean visible before this call came.
    this.notifications = new NotificationCoalescer({
      tracker: this.tracker,
      env: {
        mode,
        popupVisible: () => this.popup.visible,
        openPopup: () => this.popup.show({ focus: true }),
        show: (content, onClick) => this.showNotification(content.title, content.body, onClick),
      },
    });
    this.notifications.start();
    this.popup = new PopupController({
      tracker: this.tracker,
      mode,
      env: {
        platform: process.platform,
        createWindow: () => this.createPopupWindow(),
        trayBounds: () => this.tray.bounds(),
        workArea: (near) => this.workArea(near),
      },
    });
    this.popup.start();

    this.signIns = new SignInTracker(airlock.control);
    this.signIns.on('needed', (need) => {
      const { title, body } = signInNotice(need);
      this.showNotification(title, body, () => void this.signIn(need.server));
    });

    const factory = trayFactory();
    const canLaunchAtLogin = process.platform === 'darwin' || process.platform === 'win32';
    this.tray = new TrayController({
      factory,
      tracker: this.tracker,
      signIns: this.signIns,
      prefs: {
        secretsInFile: () => this.settings.get('secretsInFile'),
        alerts: mode,
        launchAtLogin: () => (canLaunchAtLogin ? app.getLoginItemSettings().openAtLogin : this.settings.get('launchAtLogin')),
      },
      actions: {
        openPopup: () => this.popup.show({ focus: true }),
        openMainWindow: () => this.openMainWindow(),
        setPaused: (paused) => {
          airlock.control.call('approvals.pause', { paused }).catch((err: Error) => logger.error(`pause failed: ${err.message}`));
        },
        setAlertMode: (alerts) => this.settings.set('alerts', alerts),
        ...(canLaunchAtLogin && {
          setLaunchAtLogin: (enabled: boolean) => {
            app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
            this.settings.set('launchAtLogin', enabled);
          },
        }),
        installCommand: () => void this.installCommand(),
        signIn: (server: string) => void this.signIn(server),
        ...(secrets.canKeepInFile && {
          setSecretsInFile: (enabled: boolean) => {
            this.settings.set('secretsInFile', enabled);
            secrets
              .setFileAccepted(enabled)
              // The servers' cards say where tokens are kept: they follow the new choice.
              .then(() => airlock.secretStoreChanged())
              .catch((err: Error) => logger.error(`moving the sign-in secrets failed: ${err.message}`));
          },
        }),
        quit: () => app.quit(),
      },
    });
    this.tray.start();
    this.settings.onChange(() => this.tray.refresh());

    this.quit = installQuitSequence(app, () => this.stop(), logger);
  }

  /** The tray's and the notification's "Sign in to <server>": the page in the system browser. */
  private async signIn(server: string): Promise<void> {
    try {
      await openSignIn(this.signInOptions, server);
    } catch (err) {
      this.logger.warn(`sign-in to ${server} could not start: ${(err as Error).message}`);
      await dialog.showMessageBox({ type: 'error', title: 'Airlock', message: `Could not start signing in to ${server}`, detail: (err as Error).message });
    }
  }

  /** The tray's "Install the airlock command": the same launcher `airlock install-cli` writes. */
  private async installCommand(): Promise<void> {
    try {
      const [message, ...detail] = describeInstall(await installCommand(this.airlock.self));
      this.logger.info(`${message} ${detail.join(' ')}`);
      await dialog.showMessageBox({ type: 'info', title: 'Airlock', message: message!, detail: detail.join('\n') });
    } catch (err) {
      this.logger.warn(`installing the airlock command failed: ${(err as Error).message}`);
      await dialog.showMessageBox({ type: 'error', title: 'Airlock', message: 'The airlock command was not installed', detail: (err as Error).message });
    }
  }

  private async stop(): Promise<void> {
    this.logger.info('quitting: stopping the core');
    this.notifications.stop();
    this.popup.stop();
    this.tracker.stop();
    this.signIns.stop();
    this.tray.destroy();
    ipcMain.removeHandler(CALL_CHANNEL);
    ipcMain.removeHandler(EXPORT_CHANNEL);
    ipcMain.removeHandler(SIGN_IN_CHANNEL);
    // Ends upstream processes, withdraws waiting approvals, flushes history, frees the lock.
    await this.airlock.stop();
    this.logger.info('stopped');
  }

  private secureSession(): void {
    const handler = createAppProtocolHandler({ root: this.rendererRoot, csp: DESKTOP_CSP });
    protocol.handle(APP_SCHEME, (request) => handler(request));
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permissionAllowed(permission, details.requestingUrl)));
    ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin));
    // The CSP rides on every response our session sees, not only on the protocol's files.
    ses.webRequest.onHeadersReceived((details, callback) => applyCsp(details, callback));
  }

  private windows(): BrowserWindow[] {
    return [this.mainWindow, this.popupWindow].filter((w): w is BrowserWindow => w !== undefined && !w.isDestroyed());
  }

  private track(window: BrowserWindow): void {
    const id = window.webContents.id;
    this.ourContents.add(id);
    window.webContents.once('destroyed', () => this.ourContents.delete(id));
  }

  private workArea(near: Rect | undefined): Rect {
    const display = hasUsableTrayBounds(near) ? screen.getDisplayMatching(near) : screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
    return display.workArea;
  }

  private appIcon(): NativeImage | undefined {
    // Windows and macOS take the window icon from the executable; Linux needs it here.
    return process.platform === 'linux' ? nativeImage.createFromBuffer(encodePng(drawIcon(256, 'app'))) : undefined;
  }

  /** Every window of the app is made here, with Electron's security checklist applied. */
  private createSecureWindow(options: Omit<BrowserWindowConstructorOptions, 'webPreferences'>): BrowserWindow {
    const w = new BrowserWindow({
      ...options,
      webPreferences: {
        preload: this.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
        // Middle-click would open links in new windows; those are refused anyway.
        disableBlinkFeatures: 'Auxclick',
        devTools: this.devTools,
      },
    });
    this.track(w);
    return w;
  }

  openMainWindow(): void {
    let w = this.mainWindow;
    if (!w || w.isDestroyed()) w = this.createMainWindow();
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  }

  private createMainWindow(): BrowserWindow {
    const bounds = restoreBounds(this.settings.get('mainWindow'), screen.getAllDisplays().map((d) => d.workArea));
    const icon = this.appIcon();
    const w = this.createSecureWindow({
      ...(bounds.x !== undefined && bounds.y !== undefined && { x: bounds.x, y: bounds.y }),
      width: bounds.width,
      height: bounds.height,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'Airlock',
      autoHideMenuBar: true,
      ...(icon && { icon }),
    });
    this.mainWindow = w;
    if (bounds.maximized) w.maximize();
    let saveTimer: NodeJS.Timeout | undefined;
    const saveBounds = () => {
      clearTimeout(saveTimer);
      if (w.isDestroyed()) return;
      const normal = w.getNormalBounds();
      this.settings.set('mainWindow', { ...normal, maximized: w.isMaximized() });
    };
    const saveSoon = () => {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(saveBounds, 500);
    };
    w.on('resize', saveSoon);
    w.on('move', saveSoon);
    w.on('close', (event) => {
      saveBounds();
      // Closing the window hides it: Airlock keeps running in the tray.
      if (!this.quit.quitting) {
        event.preventDefault();
        w.hide();
      }
    });
    void w.loadURL(`${APP_ORIGIN}/index.html#/approvals`);
    return w;
  }

  private createPopupWindow(): PopupWindowLike {
    const linux = process.platform === 'linux';
    const icon = this.appIcon();
    const w = this.createSecureWindow({
      ...POPUP_SIZE,
      show: false,
      title: 'Airlock: approval',
      // On Linux the popup cannot hang off the tray, so it is an ordinary (framed) window.
      frame: linux,
      resizable: linux,
      skipTaskbar: !linux,
      alwaysOnTop: true,
      fullscreenable: false,
      minimizable: linux,
      maximizable: false,
      autoHideMenuBar: true,
      ...(icon && { icon }),
    });
    this.popupWindow = w;
    w.on('close', (event) => {
      if (!this.quit.quitting) {
        event.preventDefault();
        w.hide();
      }
    });
    void w.loadURL(`${APP_ORIGIN}/index.html#/popup`);
    return w;
  }

  private showNotification(title: string, body: string, onClick: () => void): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title, body });
    this.liveNotifications.add(notification);
    const release = () => this.liveNotifications.delete(notification);
    notification.on('click', () => {
      release();
      onClick();
    });
    notification.on('close', release);
    notification.show();
  }
}
