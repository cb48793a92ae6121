import t from 'tap'
import { createGroupingQueue, type Outcome } from '../../src/db/grouping-queue.js'

/** A queue whose groups finish only when the test releases them, recording each group it ran. */
function controlledQueue (concurrency: number, maxGroupSize: number, outcome: (item: number) => Outcome<string> = item => ({ value: `#${item}` })) {
  const groups: number[][] = []
  const releases: Array<() => void> = []
  const queue = createGroupingQueue<number, string>({
    concurrency,
    maxGroupSize,
    run: async items => {
      groups.push(items)
      await new Promise<void>(resolve => releases.push(resolve))
      if (items.includes(-1)) throw new Error('the whole group failed')
      return items.map(outcome)
    },
  })
  const releaseAll = async () => { while (releases.length > 0) { releases.shift()!(); await new Promise(resolve => setImmediate(resolve)) } }
  return { queue, groups, releaseAll }
}

t.test('with nothing in flight an item runs at once and alone', async t => {
  const { queue, groups, releaseAll } = controlledQueue(2, 10)
  const answer = queue.submit(1)
  t.same(groups, [[1]], 'started without waiting for company')
  await releaseAll()
  t.equal(await answer, '#1')
})

t.test('items that arrive while groups are in flight form the next group, up to its size limit', async t => {
  const { queue, groups, releaseAll } = controlledQueue(1, 3)
  const answers = [1, 2, 3, 4, 5, 6].map(item => queue.submit(item))
  t.same(groups, [[1]], 'only one group in flight')
  while (groups.length < 3) await releaseAll()
  await releaseAll()
  t.same(groups, [[1], [2, 3, 4], [5, 6]])
  t.same(await Promise.all(answers), ['#1', '#2', '#3', '#4', '#5', '#6'], 'each gets its own value')
})

t.test('a member\'s own error fails only that member; a failed group fails its members and the queue goes on', async t => {
  const { queue, groups, releaseAll } = controlledQueue(1, 3, item => (item === 3 ? { error: new Error('three refused') } : { value: `#${item}` }))
  const first = queue.submit(0)
  const all = Promise.allSettled([2, 3, 4, -1, 7].map(item => queue.submit(item)))
  while (groups.length < 3) await releaseAll()
  await releaseAll()
  t.same(groups, [[0], [2, 3, 4], [-1, 7]])
  t.equal(await first, '#0')
  const settled = await all
  t.same(settled.map(s => s.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected'])
  t.match((settled[1] as PromiseRejectedResult).reason, /three refused/)
  t.match((settled[3] as PromiseRejectedResult).reason, /whole group failed/)
  const after = queue.submit(8)
  await releaseAll()
  t.equal(await after, '#8', 'later items still run')
})
