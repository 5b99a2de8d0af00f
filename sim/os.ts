// The simulated operating system: a process table with pids drawn from a small
// range and recycled, Linux-style (the next free pid after the last one given).
// A container restart empties the table and restarts the counter, so the next
// generation of processes gets the same low pids (incident 003).

export const FIRST_PID = 2;

export class SimulatedOs {
  private readonly alive = new Map<number, string>();
  private lastPid = FIRST_PID - 1;
  /** Container restarts so far (a timer set before a restart must not touch the next generation's table). */
  generation = 0;
  /** Distinct pids handed out so far that were already used once (for stats and the timeline). */
  reusedPids = 0;
  private readonly everUsed = new Set<number>();

  constructor(readonly pidMax: number) {
    if (!(pidMax >= FIRST_PID + 1)) throw new Error(`pidMax must be at least ${FIRST_PID + 1}`);
  }

  /** Gives the next free pid to `owner`; throws when the table is full (the world keeps fewer processes than pids). */
  spawn(owner: string): number {
    const span = this.pidMax - FIRST_PID + 1;
    for (let step = 1; step <= span; step += 1) {
      const pid = FIRST_PID + ((this.lastPid - FIRST_PID + step) % span);
      if (!this.alive.has(pid)) {
        this.lastPid = pid;
        this.alive.set(pid, owner);
        if (this.everUsed.has(pid)) this.reusedPids += 1;
        this.everUsed.add(pid);
        return pid;
      }
    }
    throw new Error(`process table full: ${this.alive.size} processes alive with pidMax ${this.pidMax}`);
  }

  /** Gives exactly `pid` to `owner` if it is free (the pid-reuse fault); false otherwise. */
  spawnAt(pid: number, owner: string): boolean {
    if (this.alive.has(pid) || pid < FIRST_PID || pid > this.pidMax) return false;
    this.alive.set(pid, owner);
    if (this.everUsed.has(pid)) this.reusedPids += 1;
    this.everUsed.add(pid);
    return true;
  }

  exit(pid: number): void {
    this.alive.delete(pid);
  }

  isAlive(pid: number): boolean {
    return this.alive.has(pid);
  }

  aliveCount(): number {
    return this.alive.size;
  }

  ownerOf(pid: number): string | undefined {
    return this.alive.get(pid);
  }

  /** Container restart: every process is gone and the pid counter starts over. */
  restart(): void {
    this.alive.clear();
    this.lastPid = FIRST_PID - 1;
    this.generation += 1;
  }
}
