import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';

/**
 * The session-level advisory lock that lets one replica run a digest round. It belongs to the
 * connection, so both methods take the QueryRunner that holds it.
 */
@Injectable()
export class DigestRepository {
  /** Takes the lock named `key` if it is free; false when another session holds it. */
  async tryLock(qr: QueryRunner, key: string): Promise<boolean> {
    const [{ locked }] = await qr.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key]);
    return locked;
  }

  /** Releases the lock named `key` taken by tryLock on the same connection. */
  async unlock(qr: QueryRunner, key: string): Promise<void> {
    await qr.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
  }
}
