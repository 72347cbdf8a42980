import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SabotError, SqlState } from '../../errors.js';
import type { BackendWriter } from '../backend-writer.js';
import { Auth } from '../protocol.js';
import { md5Hex, scramVerifier, type Credential, type CredentialLookup } from './credentials.js';
import { SCRAM_MECHANISM, ScramExchange } from './scram.js';

export type AuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256';

export interface AuthConfig {
  method: AuthMethod;
  /** Required unless the method is trust. */
  credentials?: CredentialLookup;
}

export type AuthStep = 'ok' | 'continue';

function failed(user: string): SabotError {
  return new SabotError(SqlState.invalidPassword, `password authentication failed for user "${user}"`,
    { severity: 'FATAL' });
}

function cstringOf(data: Buffer): string {
  const end = data.indexOf(0);
  if (end !== data.length - 1) {
    throw new SabotError(SqlState.protocolViolation, 'invalid password packet size', { severity: 'FATAL' });
  }
  return data.toString('utf8', 0, end);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * One client's authentication exchange. `begin` writes the server's request; each
 * PasswordMessage (or SASL response) goes to `respond` until it returns 'ok'. A failure
 * throws 28P01 and nothing else is revealed (an unknown user fails like a wrong password).
 */
export class Authentication {
  private readonly credential: Credential | undefined;
  private scram: ScramExchange | undefined;
  private md5Salt: Buffer | undefined;
  private method: AuthMethod;

  constructor(config: AuthConfig, private readonly user: string) {
    this.method = config.method;
    this.credential = config.method === 'trust' ? undefined : config.credentials?.(user);
    // As Postgres does: md5 with only a SCRAM verifier known is done as SCRAM.
    if (this.method === 'md5' && this.credential && !this.credential.md5Hash) this.method = 'scram-sha-256';
  }

  begin(w: BackendWriter): AuthStep {
    switch (this.method) {
      case 'trust':
        return 'ok';
      case 'password':
        w.authentication(Auth.cleartextPassword);
        return 'continue';
      case 'md5':
        this.md5Salt = randomBytes(4);
        w.authentication(Auth.md5Password, this.md5Salt);
        return 'continue';
      case 'scram-sha-256':
        w.authenticationSasl([SCRAM_MECHANISM]);
        return 'continue';
    }
  }

  respond(data: Buffer, w: BackendWriter): AuthStep {
    switch (this.method) {
      case 'trust':
        return 'ok';
      case 'password':
        if (!this.checkCleartext(cstringOf(data))) throw failed(this.user);
        return 'ok';
      case 'md5': {
        const expected = this.credential?.md5Hash;
        const answer = cstringOf(data);
        if (!expected || !safeEqual(answer, 'md5' + md5Hex(Buffer.concat([Buffer.from(expected.slice(3)), this.md5Salt!])))) {
          throw failed(this.user);
        }
        return 'ok';
      }
      case 'scram-sha-256':
        return this.scramStep(data, w);
    }
  }

  private checkCleartext(given: string): boolean {
    const c = this.credential;
    if (!c) return false;
    if (c.password !== undefined) return safeEqual(given, c.password);
    if (c.md5Hash !== undefined) return safeEqual('md5' + md5Hex(given + this.user), c.md5Hash);
    if (c.scram) {
      const v = scramVerifier(given, c.scram.salt, c.scram.iterations);
      return timingSafeEqual(v.storedKey, c.scram.storedKey);
    }
    return false;
  }

  private scramStep(data: Buffer, w: BackendWriter): AuthStep {
    if (!this.scram) {
      // SASLInitialResponse: mechanism name, int32 length, client-first-message.
      const end = data.indexOf(0);
      if (end < 0 || data.length < end + 5) {
        throw new SabotError(SqlState.protocolViolation, 'malformed SASLInitialResponse', { severity: 'FATAL' });
      }
      const mechanism = data.toString('utf8', 0, end);
      if (mechanism !== SCRAM_MECHANISM) {
        throw new SabotError(SqlState.protocolViolation,
          `client selected an invalid SASL authentication mechanism`, { severity: 'FATAL' });
      }
      const length = data.readInt32BE(end + 1);
      if (length !== data.length - end - 5) {
        throw new SabotError(SqlState.protocolViolation, 'malformed SASLInitialResponse', { severity: 'FATAL' });
      }
      this.scram = new ScramExchange(this.credential?.scram);
      const serverFirst = this.scram.start(data.toString('utf8', end + 5));
      w.authentication(Auth.saslContinue, Buffer.from(serverFirst));
      return 'continue';
    }
    const serverFinal = this.scram.finish(data.toString('utf8'));
    if (serverFinal === null) throw failed(this.user);
    w.authentication(Auth.saslFinal, Buffer.from(serverFinal));
    return 'ok';
  }
}
