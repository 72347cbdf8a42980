import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SabotError, SqlState } from '../../errors.js';
import { scramVerifier, type ScramVerifier } from './credentials.js';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

function saslError(message: string): SabotError {
  return new SabotError(SqlState.protocolViolation, message);
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw saslError(`malformed SCRAM message (attribute "${part}")`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), without channel
 * binding. A user that does not exist gets a made-up verifier, so the exchange runs to
 * the end and fails like a wrong password, revealing nothing.
 */
export class ScramExchange {
  private readonly verifier: ScramVerifier;
  private readonly known: boolean;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(verifier: ScramVerifier | undefined) {
    this.known = verifier !== undefined;
    this.verifier = verifier ?? scramVerifier(randomBytes(16).toString('hex'));
  }

  /** Takes the SASLInitialResponse's client-first-message and returns server-first-message. */
  start(clientFirst: string): string {
    const m = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(clientFirst);
    if (!m) throw saslError('malformed SCRAM message (gs2 header)');
    if (m[1]!.startsWith('p')) throw saslError('channel binding is not supported by this server');
    this.gs2Header = `${m[1]},${m[2]},`;
    this.clientFirstBare = m[3]!;
    const clientNonce = attributes(this.clientFirstBare).get('r');
    if (!clientNonce) throw saslError('malformed SCRAM message (missing nonce)');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** Checks client-final-message; returns server-final-message, or null on a wrong proof. */
  finish(clientFinal: string): string | null {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw saslError('malformed SCRAM message (missing proof)');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('r') !== this.nonce) throw saslError('SCRAM nonce does not match');
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) {
      throw saslError('SCRAM channel binding check failed');
    }
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = createHmac('sha256', this.verifier.storedKey).update(authMessage).digest();
    if (proof.length !== clientSignature.length) return null;
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const storedKey = createHash('sha256').update(clientKey).digest();
    if (!timingSafeEqual(storedKey, this.verifier.storedKey) || !this.known) return null;
    const serverSignature = createHmac('sha256', this.verifier.serverKey).update(authMessage).digest();
    return `v=${serverSignature.toString('base64')}`;
  }
}
