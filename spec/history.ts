// The recorded history, in Jepsen's shape: every operation of a process is an
// `invoke` followed by `ok` (it happened, with this result), `fail` (it did not
// happen) or `info` (unknown: the process died before it saw the result, e.g. a
// lost ack). `world` events record what the world did to processes (spawn,
// crash, pause, container restart, …) so explanations can cite them.
import { z } from 'zod';
import { JobStatusSchema, RoleSchema } from './state.ts';

export const OperationSchema = z.enum([
  'startup',
  'enqueue',
  'claim',
  'attachRun',
  'heartbeat',
  'complete',
  'fail',
  'release',
  'reap',
  'tryCompleteGroup',
  'sanitize',
  'shutdown',
]);
export type Operation = z.infer<typeof OperationSchema>;

export const WorldOperationSchema = z.enum([
  /** A process started (pid and run id on the event). */
  'spawn',
  /** A process died at a scheduling point with no cleanup. */
  'crash',
  /** A process (or one of its loops) stops being scheduled until `until`. */
  'pause',
  'resume',
  /** Every process died at once and the pid counter restarted. */
  'restart',
  /** A graceful stop signal reached a process. */
  'stop',
  /** A process ended on its own. */
  'exit',
  /** Faults stop; the liveness phase begins. */
  'heal',
]);
export type WorldOperation = z.infer<typeof WorldOperationSchema>;

const id = z.number().int().nonnegative();
const ids = z.array(id);

const common = {
  /** Position in the history, from 0, dense. */
  index: z.number().int().nonnegative(),
  /** Global (unskewed) simulated time, ms. */
  time: z.number().int(),
  /** Process id (stable across restarts of the same worker, e.g. 'w1'); 'world' for world events. */
  process: z.string().min(1),
  /** The incarnation: a new run id for every start of a process, even on a reused pid. */
  run: z.string().nullable(),
  pid: z.number().int().nullable(),
};

export const OperationEventSchema = z
  .object({
    ...common,
    type: z.enum(['invoke', 'ok', 'fail', 'info']),
    role: RoleSchema,
    op: OperationSchema,
    /** The job the operation is about (for claim: the job claimed, on ok). */
    job: id.nullable().optional(),
    lease: z.string().nullable().optional(),
    /** enqueue: the job's completion group; tryCompleteGroup: the group asked about. */
    group: z.string().nullable().optional(),
    /** enqueue: the size of the job's group (GROUP_ONCE knows a group is whole only when all its members exist). */
    groupSize: z.number().int().positive().nullable().optional(),
    /** Terminal writes, attachRun, heartbeat: whether the write took effect. */
    applied: z.boolean().optional(),
    /** fail: the job's status after the write; tryCompleteGroup: the outcome it fired with (null = did not fire). */
    status: z.union([JobStatusSchema, z.null()]).optional(),
    /** reap: requeued jobs; shutdown: released jobs; startup: requeued jobs; sanitize: healed jobs. */
    jobs: ids.optional(),
    /** reap / startup: jobs ended in 'failed'. */
    failedJobs: ids.optional(),
    /** reap: worker ids removed. */
    workers: z.array(z.string()).optional(),
    /** reap: the threshold the reaper used, ms. */
    thresholdMs: z.number().int().positive().optional(),
    /** enqueue: the queue; claim: null when nothing was claimed. */
    queue: z.string().optional(),
    /** Why a `fail` event failed (an error from the engine, or the crash that cut the call short). */
    error: z.string().optional(),
  })
  .strict();
export type OperationEvent = z.infer<typeof OperationEventSchema>;

export const WorldEventSchema = z
  .object({
    ...common,
    type: z.literal('world'),
    role: z.union([RoleSchema, z.literal('world')]),
    op: WorldOperationSchema,
    /** pause: global time the pause ends. */
    until: z.number().int().optional(),
    /** pause: which loop of the process was paused ('all' = the whole process). */
    loop: z.string().optional(),
    /** Free text for the timeline ("crashed after the statement committed"). */
    detail: z.string().optional(),
  })
  .strict();
export type WorldEvent = z.infer<typeof WorldEventSchema>;

type OperationFields = z.infer<typeof OperationEventSchema>;

/**
 * The fields the checkers read to judge an operation must be present: a
 * missing `applied` would otherwise read as "not accepted" and hide a stale
 * write. Checked on invokes and on oks; `fail` and `info` carry the invoke's
 * fields plus an error.
 */
function requireInvokeFields(event: OperationFields, context: z.RefinementCtx): void {
  const need = (field: keyof OperationFields, why: string) => {
    if (event[field] === undefined) context.addIssue({ code: 'custom', path: [field], message: `${event.op} ${event.type} needs \`${field}\` (${why})` });
  };
  switch (event.op) {
    case 'complete':
    case 'fail':
    case 'release':
    case 'attachRun':
      need('job', 'the job written');
      need('lease', 'the lease the write carries');
      break;
    case 'claim':
      if (event.type === 'invoke') need('lease', 'the fresh token offered');
      break;
    case 'reap':
      need('thresholdMs', 'the threshold the reaper used');
      break;
    case 'tryCompleteGroup':
      need('group', 'the group asked about');
      break;
    default:
      break;
  }
}

function requireOkFields(event: OperationFields, context: z.RefinementCtx): void {
  requireInvokeFields(event, context);
  const need = (field: keyof OperationFields, why: string) => {
    if (event[field] === undefined) context.addIssue({ code: 'custom', path: [field], message: `${event.op} ok needs \`${field}\` (${why})` });
  };
  switch (event.op) {
    case 'enqueue':
      need('job', 'the id of the job enqueued');
      break;
    case 'claim':
      need('job', 'the job claimed, or null');
      break;
    case 'complete':
    case 'release':
    case 'attachRun':
    case 'heartbeat':
      need('applied', 'whether the write took effect');
      break;
    case 'fail':
      need('applied', 'whether the write took effect');
      if (event.applied === true && event.status !== 'queued' && event.status !== 'failed') {
        context.addIssue({ code: 'custom', path: ['status'], message: "an applied fail ok needs `status` 'queued' (retry) or 'failed' (attempts spent)" });
      }
      break;
    case 'reap':
      need('workers', 'the workers removed');
      need('jobs', 'the jobs requeued');
      break;
    case 'startup':
    case 'shutdown':
      need('jobs', event.op === 'startup' ? 'the jobs requeued' : 'the jobs released');
      break;
    case 'tryCompleteGroup':
      if (event.status !== null && event.status !== 'completed' && event.status !== 'failed') {
        context.addIssue({ code: 'custom', path: ['status'], message: "tryCompleteGroup ok needs `status` 'completed', 'failed' or null (did not fire)" });
      }
      break;
    default:
      break;
  }
}

export const HistoryEventSchema = z.discriminatedUnion('type', [
  OperationEventSchema.extend({ type: z.literal('invoke') }).superRefine(requireInvokeFields),
  OperationEventSchema.extend({ type: z.literal('ok') }).superRefine(requireOkFields),
  OperationEventSchema.extend({ type: z.literal('fail') }),
  OperationEventSchema.extend({ type: z.literal('info') }),
  WorldEventSchema,
]);
export type HistoryEvent = OperationEvent | WorldEvent;
export type History = readonly HistoryEvent[];

export const HistorySchema = z.array(HistoryEventSchema);
