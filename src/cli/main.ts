import { parseArgs } from 'node:util';
import { openCatalog } from '../control/catalog/open-catalog.js';
import { SabotServer } from '../server.js';
import { SABOT_VERSION } from '../version.js';

const usage = `Sabot ${SABOT_VERSION}: a streaming database that speaks the Postgres protocol.

Usage:
  sabot serve [options]     start the server
  sabot init-db [options]   create or migrate the catalog schema, then exit

Options of serve and init-db:
  --data-dir DIR            where the SQLite catalog and internal streams live
                            (default ./sabot-data)
  --catalog URL             postgresql://... keeps the catalog in PostgreSQL

Options of serve:
  --host HOST               address to listen on (default 127.0.0.1)
  --port PORT               port to listen on; 0 picks a free one (default 5479)
  --password PASSWORD       require this password from every user
  --users-file FILE         require passwords from a file of user:password lines
  --auth METHOD             scram-sha-256 (default), md5 or password (cleartext)
  --tls-cert FILE           PEM certificate: enables TLS (sslmode=require)
  --tls-key FILE            PEM private key of the certificate
  --max-connections N       most concurrent sessions (default 1000)
  --slots N                 task slots of the in-process agent (default 256)
  --help                    show this text
`;

const catalogOptions = {
  'data-dir': { type: 'string', default: './sabot-data' },
  catalog: { type: 'string' },
} as const;

async function initDb(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { ...catalogOptions, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const store = await openCatalog({ catalog: values.catalog, dataDir: values['data-dir'] });
  const version = await store.version();
  await store.close();
  process.stdout.write(`catalog ${store.driver.location} is at schema version ${version}\n`);
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...catalogOptions,
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5479' },
      password: { type: 'string' },
      'users-file': { type: 'string' },
      auth: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'max-connections': { type: 'string' },
      slots: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const slots = values.slots === undefined ? undefined : Number(values.slots);
  if (slots !== undefined && !(Number.isInteger(slots) && slots > 0)) throw new Error(`invalid --slots: ${values.slots}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port: ${values.port}`);
  const auth = values.auth;
  if (auth !== undefined && auth !== 'scram-sha-256' && auth !== 'md5' && auth !== 'password') {
    throw new Error(`invalid --auth: ${auth} (expected scram-sha-256, md5 or password)`);
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new Error('--tls-cert and --tls-key go together');
  }
  const server = await SabotServer.start({
    dataDir: values['data-dir']!,
    catalog: values.catalog,
    host: values.host!,
    port,
    password: values.password,
    usersFile: values['users-file'],
    authMethod: auth,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    maxConnections: values['max-connections'] === undefined ? undefined : Number(values['max-connections']),
    slots,
  });
  process.stdout.write(`Sabot ${SABOT_VERSION} ready: accepting connections on ${values.host}:${server.port}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`received ${signal}, shutting down\n`);
    server.stop().then(() => process.exit(0), (err) => {
      process.stderr.write(`error while shutting down: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'init-db':
      return initDb(rest);
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(usage);
      return;
    default:
      throw new Error(`unknown command "${command}"\n\n${usage}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`sabot: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
