/**
 * What each upstream offers, and whether it still offers what was approved: every tool
 * list an upstream sends (to the catalog connection or to any session) is checked against
 * the pinned definitions. A changed definition (a "rug pull": same name, new description
 * or schema) quarantines the tool until a person accepts the new definition.
 */
import { EventEmitter } from 'node:events';
import type { Tool } from '@modelcontextprotocol/server';
import type { ServerStatus, ToolChange, ToolDefinition } from '../../../shared/api/contract.ts';
import type { PinStore } from '../store/pin-store.ts';
import type { UpstreamStatus } from '../upstream/upstream.ts';

const key = (server: string, tool: string) => `${server}\u0000${tool}`;

export class ToolCatalog extends EventEmitter<{ changed: [server: string] }> {
  private readonly pins: PinStore;
  /** The latest definition seen per server and tool. */
  private readonly tools = new Map<string, Map<string, Tool>>();
  private readonly quarantined = new Set<string>();

  constructor(pins: PinStore) {
    super();
    this.pins = pins;
    for (const pin of pins.list()) if (pin.changed) this.quarantined.add(key(pin.server, pin.tool));
  }

  /** Records a tools/list result and checks each tool against its pin. */
  observe(server: string, tools: readonly Tool[]): void {
    let byName = this.tools.get(server);
    if (!byName) this.tools.set(server, (byName = new Map()));
    let changed = false;
    for (const tool of tools) {
      byName.set(tool.name, tool);
      const k = key(server, tool.name);
      const check = this.pins.check(server, tool);
      const wasQuarantined = this.quarantined.has(k);
      if (check.status === 'changed') this.quarantined.add(k);
      else this.quarantined.delete(k);
      if (wasQuarantined !== this.quarantined.has(k)) changed = true;
    }
    if (changed) this.emit('changed', server);
  }

  tool(server: string, name: string): Tool | undefined {
    return this.tools.get(server)?.get(name);
  }

  isQuarantined(server: string, tool: string): boolean {
    return this.quarantined.size > 0 && this.quarantined.has(key(server, tool));
  }

  changes(): ToolChange[] {
    return this.pins
      .list()
      .filter((p) => p.changed)
      .map((p) => ({
        server: p.server,
        tool: p.tool,
        pinned: p.definition as ToolDefinition,
        current: p.changed!.definition as ToolDefinition,
      }));
  }

  /** A person trusts the new definition: calls go through again. */
  accept(server: string, tool: string): boolean {
    const accepted = this.pins.accept(server, tool);
    if (accepted) {
      this.quarantined.delete(key(server, tool));
      this.emit('changed', server);
    }
    return accepted;
  }

  /** An upstream's status as the control API shows it: tools with their pin state. */
  describe(status: UpstreamStatus): ServerStatus {
    return {
      name: status.name,
      transport: status.transport,
      state: status.state,
      ...(status.error !== undefined && { error: status.error }),
      since: status.since,
      restarts: status.restarts,
      ...(status.serverInfo && { serverInfo: status.serverInfo }),
      ...(status.era && { era: status.era }),
      ...(status.protocolVersion && { protocolVersion: status.protocolVersion }),
      ...(status.signIn && { signIn: status.signIn }),
      tools: status.tools.map((t) => ({
        ...(t as ToolDefinition),
        pin: this.isQuarantined(status.name, t.name) ? ('changed' as const) : ('pinned' as const),
      })),
    };
  }
}
