// `npm run admin -- <command>`: issuer accounts, their users, API keys and signing keys, printed as JSON (admin-commands.ts).
import { adminCommand } from './admin-commands.js'

const outcome = await adminCommand(process.argv.slice(2))
process.stdout.write(outcome.stdout)
process.stderr.write(outcome.stderr)
process.exitCode = outcome.exitCode
