/** The few parts of oidc-provider (which ships no types) the sign-in tests use. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type ClientMetadata = Record<string, unknown> & { client_id: string };
  interface Ctx {
    oidc: { client?: { clientId: string } };
  }
  interface Client {
    grantTypeAllowed(type: string): boolean;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown> & {
      findAccount?: (ctx: Ctx, id: string) => Promise<{ accountId: string; claims: () => Promise<Record<string, unknown>> } | undefined>;
      features?: Record<string, Record<string, unknown> & {
        allowedPolicy?: (ctx: Ctx) => Promise<boolean>;
        getResourceServerInfo?: (ctx: Ctx, indicator: string) => Promise<Record<string, unknown>>;
      }>;
      issueRefreshToken?: (ctx: Ctx, client: Client) => Promise<boolean>;
    });
    static errors: { InvalidTarget: new (message?: string) => Error };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'server_error', listener: (ctx: Ctx, err: Error) => void): this;
  }
}
