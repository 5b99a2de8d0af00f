// Waits, on a real Postgres, until a pending operation is either finished or
// blocked behind a given backend's open transaction. Tests of concurrent
// anomalies use it to force the interleaving they are about instead of hoping
// the scheduler of the OS produces it.
import type pg from 'pg';

export async function backendPid(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = rows[0]?.pid;
  if (pid === undefined) throw new Error('pg_backend_pid() returned no row');
  return pid;
}

export type Outcome = 'settled' | 'blocked';

/** Polls every 5 ms, at most `attemptsMax` times; running out is a test failure, not a hang. */
export async function settledOrBlockedBy(pool: pg.Pool, blockerPid: number, pending: Promise<unknown>, attemptsMax = 400): Promise<Outcome> {
  let settled = false;
  pending.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let attempt = 0; attempt < attemptsMax; attempt += 1) {
    if (settled) return 'settled';
    const { rows } = await pool.query<{ waiting: number }>('SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE $1::int = ANY (pg_blocking_pids(pid))', [blockerPid]);
    if ((rows[0]?.waiting ?? 0) > 0) return 'blocked';
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`the operation neither finished nor blocked behind backend ${blockerPid} within ${attemptsMax} polls`);
}
