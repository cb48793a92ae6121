// Grouping: work that arrives while the database is busy shares one transaction or query instead of taking one each.

/** What one member of a group gets: its value or its own error. */
export type Outcome<R> = { value: R } | { error: unknown }

export interface GroupingQueueOptions<I, R> {
  /** Groups in flight at once; the next group forms from what arrives meanwhile. */
  concurrency: number
  /** The most members one group takes. */
  maxGroupSize: number
  /** Does the work of a whole group; returns one outcome per member, in order. */
  run: (members: I[]) => Promise<Array<Outcome<R>>>
}

/**
 * A queue that runs submitted items in groups: a group commit for writes, one `= any($1)` query
 * for reads. With no load an item starts at once and alone, so nothing waits on a timer; under load
 * every group takes all items waiting (up to `maxGroupSize`), and a database round trip or a
 * commit is paid once per group rather than once per item.
 */
export function createGroupingQueue<I, R> ({ concurrency, maxGroupSize, run }: GroupingQueueOptions<I, R>) {
  const waiting: Array<{ item: I, resolve: (value: R) => void, reject: (error: unknown) => void }> = []
  let running = 0

  function startGroups (): void {
    while (running < concurrency && waiting.length > 0) {
      const members = waiting.splice(0, maxGroupSize)
      running++
      run(members.map(m => m.item))
        .then(outcomes => members.forEach((m, i) => {
          const outcome = outcomes[i]
          if (outcome === undefined) m.reject(new Error('grouping queue: no outcome for a member'))
          else if ('error' in outcome) m.reject(outcome.error)
          else m.resolve(outcome.value)
        }), (error: unknown) => { for (const m of members) m.reject(error) })
        .finally(() => { running--; startGroups() })
    }
  }

  return {
    submit (item: I): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject })
        startGroups()
      })
    },
  }
}
