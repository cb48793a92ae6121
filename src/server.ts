// Entry point: configuration → app → listen; closes gracefully on SIGINT/SIGTERM.
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

async function main (): Promise<void> {
  const config = loadConfig()
  const app = await buildApp(config)
  let closing = false
  const close = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'closing')
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    app.close().then(() => process.exit(0), () => process.exit(1))
  }
  process.once('SIGINT', () => close('SIGINT'))
  process.once('SIGTERM', () => close('SIGTERM'))
  await app.listen({ port: config.http.port, host: config.http.host })
}

main().catch(error => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Could not start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
