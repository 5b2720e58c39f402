/**
 * @module
 * The Durable Objects: `ConversationAgent` (one per conversation, named by its id) owns the
 * conversation's AI work; `EndpointDeliverer` (one per webhook endpoint) delivers its events. The
 * logic is in agent/conversation-agent.ts and events/endpoint-deliverer.ts; these classes only bind
 * it to the object's storage and alarm (SQLite-backed classes, wrangler.toml `new_sqlite_classes`).
 * Every object (ChannelSender too) builds its services with `objectServices`.
 */
import { DurableObject } from 'cloudflare:workers'
import { AgentCore, type NotifyResult } from './agent/conversation-agent.ts'
import type { Bindings } from './config/config.ts'
import { DelivererCore } from './events/endpoint-deliverer.ts'
import { type AppDeps, type Services, services } from './wiring/services.ts'

let injected: { deps: AppDeps; env: Partial<Bindings> } = { deps: {}, env: {} }

/**
 * The doubles and settings of the workerd tests (memory store, OpenAI double, their env). The
 * runtime constructs the object, so this is the only way in; production never calls it and gets
 * Supabase, fetch and wrangler.toml's env.
 */
export function provideAgentDeps(deps: AppDeps, env: Partial<Bindings> = {}): void {
  injected = { deps, env }
}

/** An object's services: its env and the production deps, or what `provideAgentDeps` gave. */
export function objectServices(env: Bindings): Services {
  return services({ ...env, ...injected.env }, injected.deps)
}

export class ConversationAgent extends DurableObject<Bindings> {
  private readonly core: AgentCore

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.core = new AgentCore(ctx.storage, () => objectServices(env))
  }

  notify(conversationId: string, messageId: string): Promise<NotifyResult> {
    return this.core.notify(conversationId, messageId)
  }

  override alarm(): Promise<void> {
    return this.core.alarm()
  }

  /** Resolves when no alarm handler is running (tests). */
  idle(): Promise<void> {
    return this.core.idle()
  }
}

export class EndpointDeliverer extends DurableObject<Bindings> {
  private readonly core: DelivererCore

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.core = new DelivererCore(ctx.storage, () => objectServices(env).deliverer())
  }

  notify(endpointId: string): Promise<void> {
    return this.core.notify(endpointId)
  }

  override alarm(): Promise<void> {
    return this.core.alarm()
  }
}
