import { readFileSync } from 'node:fs';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** A SCRAM-SHA-256 verifier, as Postgres keeps it in pg_authid. */
export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** What the server knows of one user's password: the password itself, or only hashes. */
export interface Credential {
  /** Plain password (needed for cleartext and md5 when no md5 hash is given). */
  password?: string;
  /** `md5` + md5hex(password + user), as pg_authid keeps md5 passwords. */
  md5Hash?: string;
  scram?: ScramVerifier;
}

/** Looks up credentials by user name; `undefined` means the user does not exist. */
export type CredentialLookup = (user: string) => Credential | undefined;

export const SCRAM_ITERATIONS = 4096;

export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): ScramVerifier {
  const saltedPassword = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return { iterations, salt, storedKey, serverKey };
}

/** Parses `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (all base64). */
export function parseScramVerifier(text: string): ScramVerifier | undefined {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(text);
  if (!m) return undefined;
  return {
    iterations: Number(m[1]),
    salt: Buffer.from(m[2]!, 'base64'),
    storedKey: Buffer.from(m[3]!, 'base64'),
    serverKey: Buffer.from(m[4]!, 'base64'),
  };
}

export function md5Hex(text: string | Buffer): string {
  return createHash('md5').update(text).digest('hex');
}

/** A credential from a secret as written in a users file or on the command line. */
export function credentialFromSecret(user: string, secret: string): Credential {
  const scram = parseScramVerifier(secret);
  if (scram) return { scram };
  if (/^md5[0-9a-f]{32}$/.test(secret)) return { md5Hash: secret };
  return { password: secret, md5Hash: 'md5' + md5Hex(secret + user), scram: scramVerifier(secret) };
}

/**
 * Reads a users file: one `name:secret` per line, where the secret is a password, an
 * md5 hash (`md5...`) or a SCRAM verifier (`SCRAM-SHA-256$...`); `#` starts a comment.
 */
export function readUsersFile(path: string): Map<string, Credential> {
  const users = new Map<string, Credential>();
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`${path}:${i + 1}: expected name:password`);
    const user = line.slice(0, colon);
    users.set(user, credentialFromSecret(user, line.slice(colon + 1)));
  });
  return users;
}

/**
 * Credentials for `--password`: any user name with that password. The SCRAM verifier is
 * derived once (PBKDF2 is slow on purpose), and the md5 hash per user on demand.
 */
export function sharedPasswordLookup(password: string): CredentialLookup {
  const scram = scramVerifier(password);
  return (user) => ({ password, md5Hash: 'md5' + md5Hex(password + user), scram });
}
