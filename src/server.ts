import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { registerAgent } from './control/agents.js';
import type { CatalogStore } from './control/catalog/catalog-store.js';
import { StreamCatalog } from './control/catalog/stream-catalog.js';
import { JobManager } from './control/job-manager.js';
import { InternalStreams } from './connectors/internal/internal-streams.js';
import { LocalAgent } from './agent/local-agent.js';
import { Connectors } from './connectors/registry.js';
import { openCatalog } from './control/catalog/open-catalog.js';
import { builtinFunctions } from './functions/builtins.js';
import { Session, type ServerContext } from './frontend/session.js';
import type { AuthConfig, AuthMethod } from './wire/auth/authentication.js';
import { readUsersFile, sharedPasswordLookup } from './wire/auth/credentials.js';
import { WireServer } from './wire/server.js';

export interface ServerOptions {
  host: string;
  port: number;
  /** Where the SQLite catalog and internal streams live (default ./sabot-data). */
  dataDir: string;
  /** `postgresql://...` to keep the catalog in PostgreSQL instead of SQLite. */
  catalog?: string;
  /** Task slots of the in-process agent (default 256). */
  slots?: number;
  /** Every user must give this password. */
  password?: string;
  /** A file of `user:secret` lines (see wire/auth/credentials.ts). */
  usersFile?: string;
  /** How passwords are asked for; scram-sha-256 unless said otherwise. */
  authMethod?: Exclude<AuthMethod, 'trust'>;
  tlsCert?: string;
  tlsKey?: string;
  maxConnections?: number;
  log?: (message: string) => void;
}

function authConfig(options: ServerOptions): AuthConfig {
  if (options.password === undefined && options.usersFile === undefined) return { method: 'trust' };
  const method = options.authMethod ?? 'scram-sha-256';
  if (options.usersFile !== undefined) {
    const users = readUsersFile(options.usersFile);
    return { method, credentials: (user) => users.get(user) };
  }
  return { method, credentials: sharedPasswordLookup(options.password!) };
}

export const LOCAL_AGENT_ID = 'local';
// A local slot costs a pipeline's loop on the event loop, not a thread: many dataflows fit.
const DEFAULT_LOCAL_SLOTS = 256;

/** A running Sabot server: the wire server and what its sessions share. */
export class SabotServer {
  private constructor(
    private readonly wire: WireServer,
    readonly catalog: CatalogStore,
    private readonly internalStreams: InternalStreams,
    private readonly agent: LocalAgent,
    readonly port: number,
    /** What its sessions share (the TypeScript App plans and submits dataflows with it). */
    readonly context: ServerContext,
  ) {}

  static async start(options: ServerOptions): Promise<SabotServer> {
    const catalog = await openCatalog({ catalog: options.catalog, dataDir: options.dataDir });
    const jobs = new JobManager({ store: catalog });
    const internalStreams = new InternalStreams(options.dataDir);
    const functions = builtinFunctions();
    const streams = await StreamCatalog.load(catalog);
    const agent = new LocalAgent({ agentId: LOCAL_AGENT_ID, internalStreams, catalog, functions, streams, connectors: new Connectors(internalStreams) });
    jobs.attachAgent(LOCAL_AGENT_ID, agent);
    const context: ServerContext = { functions, catalog, jobs, streams, internalStreams, agent };
    const tls = options.tlsCert !== undefined || options.tlsKey !== undefined
      ? createSecureContext({ cert: readFileSync(options.tlsCert!), key: readFileSync(options.tlsKey!) })
      : undefined;
    const wire = new WireServer({
      host: options.host,
      port: options.port,
      auth: authConfig(options),
      tls,
      maxConnections: options.maxConnections,
      log: options.log,
      createSession: (startup, control) => new Session(startup, control, context),
    });
    let port: number;
    try {
      port = await wire.listen();
      // The in-process agent: local mode is distributed mode with one agent.
      await catalog.transaction((tx) => registerAgent(tx,
        { agentId: LOCAL_AGENT_ID, host: options.host, port, slots: options.slots ?? DEFAULT_LOCAL_SLOTS }, Date.now() * 1000));
      // Workflows a previous run left unfinished (a crash mid-submit) complete now, and the
      // dataflows whose jobs run resume from the positions they recorded.
      await jobs.start();
      await agent.recover();
    } catch (err) {
      await wire.close().catch(() => undefined);
      await agent.close();
      await internalStreams.close();
      await catalog.close();
      throw err;
    }
    return new SabotServer(wire, catalog, internalStreams, agent, port, context);
  }

  get connectionCount(): number {
    return this.wire.connectionCount;
  }

  async stop(): Promise<void> {
    await this.wire.close();
    await this.catalog.update('agents', { agent_id: LOCAL_AGENT_ID }, { status: 'leaving', last_heartbeat: Date.now() * 1000 });
    await this.agent.close();
    await this.internalStreams.close();
    await this.catalog.close();
  }
}
