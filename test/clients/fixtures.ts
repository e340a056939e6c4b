/**
 * Client config fixtures as people really have them (odd indentation, comments, trailing
 * commas, unrelated keys), written into a temporary home folder that stands in for ~.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ClientId, ClientScope } from '../../shared/clients.ts';
import type { ClientsContext } from '../../main/core/clients/clients.ts';
import type { ClientEnvironment } from '../../main/core/clients/locations.ts';
import { TEST_ADMIN_TOKEN, TEST_MCP_TOKEN } from '../helpers/harness.ts';

export const AIRLOCK_PORT = 7323;
/** Stands in for the installed Airlock program in entries Airlock writes. */
export const FAKE_SELF = { command: '/opt/airlock/bin/node', args: ['/opt/airlock/cli.js'] };

export interface Sandbox {
  root: string;
  /** Plays the user's home folder. */
  homedir: string;
  /** A project / workspace folder. */
  project: string;
  /** The Airlock home. */
  airlock: string;
  env: ClientEnvironment;
  ctx(extra?: Partial<ClientsContext>): ClientsContext;
  write(path: string, text: string): string;
  read(path: string): string;
  cleanup(): void;
}

/** Writes the Airlock home's auth.json with the harness tokens, so entries and a test Airlock agree. */
export function writeTestAuth(airlockHome: string): void {
  mkdirSync(airlockHome, { recursive: true });
  writeFileSync(join(airlockHome, 'auth.json'), JSON.stringify({ mcpToken: TEST_MCP_TOKEN, adminToken: TEST_ADMIN_TOKEN }), { mode: 0o600 });
}

export function sandbox(platform: NodeJS.Platform = 'linux'): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'airlock-clients-'));
  const homedir = join(root, 'home');
  const project = join(root, 'work', 'app');
  const airlock = join(root, 'airlock-home');
  mkdirSync(homedir, { recursive: true });
  mkdirSync(project, { recursive: true });
  mkdirSync(airlock, { recursive: true });
  writeFileSync(join(airlock, 'config.json'), JSON.stringify({ mcpServers: {}, airlock: { port: AIRLOCK_PORT } }, null, 2) + '\n');
  writeTestAuth(airlock);
  const env: ClientEnvironment = { homedir, platform, env: {}, projects: [project] };
  return {
    root,
    homedir,
    project,
    airlock,
    env,
    ctx: (extra = {}) => ({ home: airlock, self: FAKE_SELF, env, processEnv: {}, ...extra }),
    write(path, text) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    read: (path) => readFileSync(path, 'utf8'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface Format {
  label: string;
  client: ClientId;
  scope: ClientScope;
  path(s: Sandbox): string;
  text: string;
  /** The entries protected in the round trip, and how the client must reach Airlock. */
  protect: string[];
  via: 'http' | 'stdio';
  /** A change the person makes to an entry Airlock does not touch. */
  edit: [string, string];
  /** JSON path of the servers object. */
  location: string[];
}

const CLAUDE_DESKTOP = `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"]
    },
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_fixture_secret" }
    }
  },
  "preferences": { "quickEntryShortcut": "off", "menuBarEnabled": false }
}
`;

// ~/.claude.json is large and mostly not about MCP; local servers live under projects.<path>.
const CLAUDE_CODE_USER = `{
  "numStartups": 42,
  "theme": "dark",
  "mcpServers": {
    "sentry": {"type": "http", "url": "https://mcp.sentry.dev/mcp", "headers": {"Authorization": "Bearer sntrys_fixture_secret"}},
    "memory": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {}}
  },
  "projects": {
    "/home/me/work/app": {
      "allowedTools": [],
      "mcpServers": {
        "db": {"type": "stdio", "command": "node", "args": ["tools/db-server.js"], "env": {"DB_URL": "postgres://me:pw@localhost/app"}}
      }
    },
    "/home/me/other": {"allowedTools": [], "mcpServers": {}}
  },
  "userID": "abc123"
}
`;

const CLAUDE_CODE_PROJECT = `{
  "mcpServers": {
    "puppeteer": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-puppeteer"],
      "env": {}
    },
    "docs": {
      "type": "sse",
      "url": "https://docs.example.com/sse"
    }
  }
}
`;

// Four-space indentation, as Cursor's own editor writes it.
const CURSOR_USER = `{
    "mcpServers": {
        "linear": {
            "url": "https://mcp.linear.app/mcp",
            "headers": {
                "Authorization": "Bearer lin_fixture_secret"
            }
        },
        "fetch": {
            "command": "uvx",
            "args": ["mcp-server-fetch"]
        }
    }
}
`;

const CURSOR_PROJECT = `{"mcpServers":{"browser":{"command":"npx","args":["-y","@browsermcp/mcp@latest"]},"notes":{"command":"node","args":["./notes.js"]}}}`;

// JSONC: comments, tabs, trailing commas, CRLF line endings, inputs.
const VSCODE_USER = [
  '// User MCP servers',
  '{',
  '\t"inputs": [',
  '\t\t{ "type": "promptString", "id": "perplexity-key", "description": "Perplexity API Key", "password": true },',
  '\t],',
  '\t"servers": {',
  '\t\t/* reads the web */',
  '\t\t"fetch": {',
  '\t\t\t"type": "stdio",',
  '\t\t\t"command": "uvx",',
  '\t\t\t"args": ["mcp-server-fetch"], // no API key needed',
  '\t\t},',
  '\t\t"github": {',
  '\t\t\t"type": "http",',
  '\t\t\t"url": "https://api.githubcopilot.com/mcp/",',
  '\t\t\t"headers": { "Authorization": "Bearer ghp_fixture_secret" },',
  '\t\t},',
  '\t\t"perplexity": {',
  '\t\t\t"type": "stdio",',
  '\t\t\t"command": "npx",',
  '\t\t\t"args": ["-y", "server-perplexity-ask"],',
  '\t\t\t"env": { "PERPLEXITY_API_KEY": "${input:perplexity-key}" },',
  '\t\t},',
  '\t},',
  '}',
  '',
].join('\r\n');

const VSCODE_WORKSPACE = `{
  // Servers for this workspace
  "servers": {
    "memory": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-memory"]
    },
    "playwright": { "command": "npx", "args": ["@playwright/mcp@latest"] }
  }
}
`;

export const FORMATS: Format[] = [
  {
    label: 'Claude Desktop',
    client: 'claude-desktop',
    scope: 'user',
    path: (s) => join(s.homedir, '.config', 'Claude', 'claude_desktop_config.json'),
    text: CLAUDE_DESKTOP,
    protect: ['github'],
    via: 'stdio',
    edit: ['/Users/me/Desktop', '/Users/me/Documents'],
    location: ['mcpServers'],
  },
  {
    label: 'Claude Code (user scope, ~/.claude.json)',
    client: 'claude-code',
    scope: 'user',
    path: (s) => join(s.homedir, '.claude.json'),
    text: CLAUDE_CODE_USER,
    protect: ['sentry'],
    via: 'http',
    edit: ['"numStartups": 42', '"numStartups": 43'],
    location: ['mcpServers'],
  },
  {
    label: 'Claude Code (project scope, .mcp.json)',
    client: 'claude-code',
    scope: 'project',
    path: (s) => join(s.project, '.mcp.json'),
    text: CLAUDE_CODE_PROJECT,
    protect: ['puppeteer'],
    via: 'stdio',
    edit: ['https://docs.example.com/sse', 'https://docs.example.com/v2/sse'],
    location: ['mcpServers'],
  },
  {
    label: 'Cursor (~/.cursor/mcp.json)',
    client: 'cursor',
    scope: 'user',
    path: (s) => join(s.homedir, '.cursor', 'mcp.json'),
    text: CURSOR_USER,
    protect: ['linear'],
    via: 'http',
    edit: ['"args": ["mcp-server-fetch"]', '"args": ["mcp-server-fetch", "--ignore-robots-txt"]'],
    location: ['mcpServers'],
  },
  {
    label: 'Cursor (project .cursor/mcp.json, minified)',
    client: 'cursor',
    scope: 'project',
    path: (s) => join(s.project, '.cursor', 'mcp.json'),
    text: CURSOR_PROJECT,
    protect: ['browser'],
    via: 'stdio',
    edit: ['./notes.js', './notes/server.js'],
    location: ['mcpServers'],
  },
  {
    label: 'VS Code (user mcp.json, JSONC with CRLF)',
    client: 'vscode',
    scope: 'user',
    path: (s) => join(s.homedir, '.config', 'Code', 'User', 'mcp.json'),
    text: VSCODE_USER,
    protect: ['fetch', 'github'],
    via: 'http',
    edit: ['"server-perplexity-ask"]', '"server-perplexity-ask", "--verbose"]'],
    location: ['servers'],
  },
  {
    label: 'VS Code (workspace .vscode/mcp.json)',
    client: 'vscode',
    scope: 'project',
    path: (s) => join(s.project, '.vscode', 'mcp.json'),
    text: VSCODE_WORKSPACE,
    protect: ['memory'],
    via: 'stdio',
    edit: ['@playwright/mcp@latest', '@playwright/mcp@0.0.40'],
    location: ['servers'],
  },
];
