// A loopback port for a process a test starts (Redis, PostgreSQL, the service) and may stop and start again.
import { once } from 'node:events'
import { createServer } from 'node:net'

/**
 * A port free now, below Linux's ephemeral range (32768–60999 here): an ephemeral port, once
 * freed, can be taken by any outgoing connection before the process binds it (or again after a
 * restart), and a client reconnecting to it while nothing listens can even connect to itself
 * (TCP simultaneous open; seen about once in 30,000 attempts). Ports below that range are only
 * ever taken by listeners.
 */
export async function freePort (): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const server = createServer().listen(port, '127.0.0.1')
    const free = await Promise.race([once(server, 'listening').then(() => true), once(server, 'error').then(() => false)])
    if (free) {
      await new Promise(resolve => server.close(resolve))
      return port
    }
  }
}
