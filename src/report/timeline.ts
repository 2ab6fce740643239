import { group } from '../log/log.js'

/** Times each phase of the run; the summary shows the table. */
export class Timeline {
  readonly phases: { name: string; ms: number }[] = []
  private readonly started = Date.now()

  /** Since the run began: phases overlap, so this is not their sum. */
  elapsedMs(): number {
    return Date.now() - this.started
  }

  /** A phase with a collapsible log group of its own. */
  run<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.measure(name, () => group(name, work))
  }

  /** A phase that runs beside others: timed, but no group (groups cannot overlap in the log). */
  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now()
    try {
      return await work()
    } finally {
      this.phases.push({ name, ms: Date.now() - started })
    }
  }
}
