/**
 * A stand-in for the whole `electron` module, for running main/electron/desktop-app.ts in a
 * test (through vi.mock): the Electron binary cannot run here. Each object implements only
 * what desktop-app.ts calls and records it, so a test can look at the tray, the windows,
 * the dialogs and the IPC handlers the app set up, and drive them as Electron would.
 * Nothing here draws, and nothing here decides: the core behind it is real.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions } from 'electron';

type Listener = (...args: never[]) => unknown;

class Emitter {
  private readonly emitter = new EventEmitter();
  on(event: string, listener: Listener): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  once(event: string, listener: Listener): this {
    this.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }
  emit(event: string, ...args: unknown[]): boolean {
    return this.emitter.emit(event, ...args);
  }
}

export interface FakeMenu {
  template: MenuItemConstructorOptions[];
}

let nextContentsId = 1;

export class FakeWebContents extends Emitter {
  readonly id = nextContentsId++;
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  destroyed = false;
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(): void {}
}

export class FakeBrowserWindow extends Emitter {
  static readonly all: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly options: Record<string, unknown>;
  url = '';
  visible = false;
  focused = false;
  destroyed = false;
  shows: Array<'inactive' | 'focused'> = [];
  position: [number, number] | undefined;

  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    FakeBrowserWindow.all.push(this);
  }
  static fromWebContents(contents: FakeWebContents): FakeBrowserWindow | undefined {
    return FakeBrowserWindow.all.find((w) => w.webContents === contents);
  }
  async loadURL(url: string): Promise<void> {
    this.url = url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return false;
  }
  isMaximized(): boolean {
    return false;
  }
  restore(): void {}
  maximize(): void {}
  show(): void {
    this.visible = true;
    this.shows.push('focused');
  }
  showInactive(): void {
    this.visible = true;
    this.shows.push('inactive');
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = true;
  }
  getSize(): number[] {
    return [Number(this.options.width ?? 800), Number(this.options.height ?? 600)];
  }
  setPosition(x: number, y: number): void {
    this.position = [x, y];
  }
  getNormalBounds() {
    return { x: 0, y: 0, width: Number(this.options.width ?? 800), height: Number(this.options.height ?? 600) };
  }
  /** What Electron does on close: the app may prevent it (hide instead). */
  close(): void {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.visible = false;
      this.webContents.destroyed = true;
      this.webContents.emit('destroyed');
    }
  }
}

export class FakeTray extends Emitter {
  static readonly all: FakeTray[] = [];
  image: unknown;
  tooltip = '';
  title = '';
  menu: FakeMenu | undefined;
  destroyed = false;

  constructor(image: unknown) {
    super();
    this.image = image;
    FakeTray.all.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
  }
  getBounds() {
    // What Linux trays report: nothing useful.
    return { x: 0, y: 0, width: 0, height: 0 };
  }
  destroy(): void {
    this.destroyed = true;
  }
  item(id: string): MenuItemConstructorOptions | undefined {
    return this.menu?.template.find((i) => i.id === id);
  }
  clickItem(id: string): void {
    const item = this.item(id);
    if (!item?.click) throw new Error(`no clickable tray menu item ${id}`);
    (item.click as () => void)();
  }
}

export class FakeNotification extends Emitter {
  static readonly shown: Array<{ title: string; body: string }> = [];
  private readonly content: { title: string; body: string };
  constructor(content: { title: string; body: string }) {
    super();
    this.content = content;
  }
  static isSupported(): boolean {
    return true;
  }
  show(): void {
    FakeNotification.shown.push(this.content);
  }
}

class FakeApp extends Emitter {
  readonly paths = new Map<string, string>();
  isPackaged = true;
  quitted = false;
  exitCode: number | undefined;
  appPath = process.cwd();
  private readyResolve: (() => void) | undefined;
  private readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  /** The test says when Electron is ready, as the real app's `ready` event would. */
  becomeReady(): void {
    this.readyResolve?.();
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  getPath(name: string): string {
    return this.paths.get(name) ?? `/fake/${name}`;
  }
  getAppPath(): string {
    return this.appPath;
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  setLoginItemSettings(): void {}
  /** Electron's quit: `before-quit` listeners may hold it off; otherwise the app ends. */
  quit(): void {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.quitted = true;
      this.emit('quit');
    }
  }
  exit(code = 0): void {
    this.exitCode = code;
    this.quitted = true;
    this.emit('quit');
  }
}

export const app = new FakeApp();

export const ipcMain = {
  handlers: new Map<string, (...args: never[]) => unknown>(),
  handle(channel: string, handler: (...args: never[]) => unknown): void {
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
};

export const dialog = {
  errors: [] as Array<{ title: string; message: string }>,
  messages: [] as Array<Record<string, unknown>>,
  showErrorBox(title: string, message: string): void {
    this.errors.push({ title, message });
  },
  async showMessageBox(...args: unknown[]) {
    this.messages.push(args[args.length - 1] as Record<string, unknown>);
    return { response: 0, checkboxChecked: false };
  },
  async showSaveDialog() {
    return { canceled: true };
  },
};

export const Menu = {
  applicationMenu: undefined as FakeMenu | undefined,
  buildFromTemplate: (template: MenuItemConstructorOptions[]): FakeMenu => ({ template }),
  setApplicationMenu(menu: FakeMenu): void {
    this.applicationMenu = menu;
  },
};

export const nativeImage = {
  createFromBuffer: (buffer: Buffer) => ({ buffer, addRepresentation: () => undefined, setTemplateImage: () => undefined }),
};

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => unknown>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => unknown): void {
    this.handlers.set(scheme, handler);
  },
};

const display = { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 }, bounds: { x: 0, y: 0, width: 1920, height: 1080 } };
export const screen = {
  getAllDisplays: () => [display],
  getDisplayMatching: () => display,
  getDisplayNearestPoint: () => display,
  getCursorScreenPoint: () => ({ x: 960, y: 540 }),
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: () => undefined,
    setPermissionCheckHandler: () => undefined,
    webRequest: { onHeadersReceived: () => undefined },
  },
};

export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  },
};

/**
 * safeStorage: real AES-GCM under a key of its own, as the OS keyring would hold it. The
 * backend is `basic_text`, as on a Linux desktop without a keyring (this machine's case).
 */
const storageKey = randomBytes(32);
export const safeStorage = {
  backend: 'basic_text',
  isAsyncEncryptionAvailable: async () => true,
  getSelectedStorageBackend(): string {
    return this.backend;
  },
  async encryptStringAsync(plain: string): Promise<Buffer> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', storageKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  },
  async decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    const decipher = createDecipheriv('aes-256-gcm', storageKey, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    return { result: Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8'), shouldReEncrypt: false };
  },
};

export const BrowserWindow = FakeBrowserWindow;
export const Tray = FakeTray;
export const Notification = FakeNotification;
