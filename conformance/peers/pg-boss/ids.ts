// Job ids: the kit speaks small integers, pg-boss uuids. The adapter sends every
// job with a caller-chosen uuid that encodes its job number (pg-boss's `id`
// send option), so the number is read back from any row or fetch without a
// lookup, and a retried send carries the same id.

const PREFIX = '00000000-0000-4000-8000-';

export function jobUuid(jobNumber: number): string {
  if (!Number.isSafeInteger(jobNumber) || jobNumber < 0 || jobNumber >= 2 ** 48) throw new RangeError(`job number ${jobNumber} does not fit a uuid's last 48 bits`);
  return `${PREFIX}${jobNumber.toString(16).padStart(12, '0')}`;
}

/** The job number a uuid encodes; throws on a uuid the adapter did not make (a bug, not data). */
export function jobNumberOf(uuid: string): number {
  if (!uuid.startsWith(PREFIX)) throw new Error(`job id ${uuid} was not made by the adapter`);
  return Number.parseInt(uuid.slice(PREFIX.length), 16);
}

export function isAdapterUuid(uuid: string): boolean {
  return uuid.startsWith(PREFIX);
}

/** pg-boss identifies a job by (queue name, id); the lease is that key, the same for every claim. */
export function leaseOf(queue: string, uuid: string): string {
  return `${queue}/${uuid}`;
}

export function parseLease(lease: string): { queue: string; id: string } {
  const slash = lease.lastIndexOf('/');
  if (slash <= 0) throw new Error(`lease ${lease} is not a pg-boss job key (queue/id)`);
  return { queue: lease.slice(0, slash), id: lease.slice(slash + 1) };
}
