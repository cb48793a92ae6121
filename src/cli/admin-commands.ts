// The admin CLI's commands (`npm run admin -- <command>`, src/cli/admin.ts): issuer accounts, their users, API keys and
// signing keys, answered as JSON, with the exit code and the text for stdout and stderr.
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'
import { createIssuerService } from '../issuers/issuer-service.js'
import { createUserService } from '../accounts/user-service.js'
import { loadPrintableCharacters } from '../documents/index.js'
import { commandLine } from '../audit/audit-repository.js'
import { readFile } from 'node:fs/promises'
import { importSigningKey, loadSigningKeys, rotateSigningKey } from '../signing/signing-keys.js'
import { SigningCertificateError } from '../signing/signing-certificates.js'
import { isServiceError } from '../errors.js'

const usage = `Usage: npm run admin -- <command> [options]
  create-issuer --name <name> --kind <authority|employer|verifier> --region <6-digit code> [--expires <ISO time>]
  list-issuers
  create-key --issuer <id> [--expires <ISO time>]
  revoke-key --issuer <id> --key <key id>
  create-user --issuer <id> --username <name> --display-name <name> [--role <admin|clerk>]
                                     a person of the issuer (admin, 管理员, by default: its first administrator) with a
                                     temporary password, printed once, to be changed at the first sign-in
  list-users --issuer <id>
  reset-password --issuer <id> --user <user id>
                                     a new temporary password for a person (ends their sessions)
  rotate-key [--grace-seconds <n>]   new signing key now; the old one retires after the grace period (default 300)
  import-key --key <key.pem> --chain <chain.pem> [--grace-seconds <n>]
                                     a CA-issued signing key instead of a generated one: an ECDSA P-256 private key
                                     (PKCS#8 PEM) and its certificate chain (PEM, the key's certificate first); it signs
                                     from now on, tokens and PDFs, and the old keys retire after the grace period
  list-keys                          the public JWKS
Configuration comes from the environment, as for the service (DATABASE_URL, DATA_DIR, KEYS_DIR, SIGNING_ALG).`

class UsageError extends Error {}

function required (values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

function positiveInteger (text: string, name: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number`)
  return value
}

function optionalDate (text: string | undefined): Date | undefined {
  if (text === undefined) return undefined
  const date = new Date(text)
  if (Number.isNaN(date.getTime())) throw new UsageError(`not a time: ${text}`)
  return date
}

async function run (argv: string[], env: Record<string, string | undefined>): Promise<unknown> {
  const [command, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      kind: { type: 'string' },
      region: { type: 'string' },
      issuer: { type: 'string' },
      key: { type: 'string' },
      expires: { type: 'string' },
      'grace-seconds': { type: 'string' },
      chain: { type: 'string' },
      username: { type: 'string' },
      'display-name': { type: 'string' },
      role: { type: 'string' },
      user: { type: 'string' },
    },
  })
  const config = loadConfig(env)
  const clock = () => new Date()
  if (command === 'rotate-key') {
    const grace = values['grace-seconds'] === undefined ? 300 : positiveInteger(values['grace-seconds'], 'grace-seconds')
    const kid = await rotateSigningKey(config.signing.keysDir, config.signing.algorithm, clock(), grace)
    return { kid, retiresPreviousKeysInSeconds: grace }
  }
  if (command === 'import-key') {
    const grace = values['grace-seconds'] === undefined ? 300 : positiveInteger(values['grace-seconds'], 'grace-seconds')
    const read = async (name: string) => {
      const file = required(values, name)
      try {
        return await readFile(file, 'utf8')
      } catch {
        throw new UsageError(`--${name}: cannot read ${file}`)
      }
    }
    const kid = await importSigningKey(config.signing.keysDir, { privateKeyPem: await read('key'), certificateChainPem: await read('chain') }, clock(), grace)
    return { kid, retiresPreviousKeysInSeconds: grace }
  }
  if (command === 'list-keys') {
    const keys = await loadSigningKeys(config.signing.keysDir, config.signing.algorithm, clock)
    keys.close()
    return keys.jwks()
  }
  if (!['create-issuer', 'list-issuers', 'create-key', 'revoke-key', 'create-user', 'list-users', 'reset-password'].includes(command ?? '')) throw new UsageError(`unknown command: ${command ?? '(none)'}`)

  const database = await openDatabase(config.database)
  try {
    await migrateToLatest(database.db)
    const issuers = createIssuerService({ db: database.db, clock, printable: await loadPrintableCharacters() })
    const users = createUserService({ db: database.db, clock })
    const issuer = () => positiveInteger(required(values, 'issuer'), 'issuer')
    switch (command) {
      case 'create-user':
        return await users.createUser(issuer(), { username: required(values, 'username'), displayName: required(values, 'display-name'), role: values.role ?? 'admin' }, commandLine)
      case 'list-users':
        return await users.listUsers(issuer())
      case 'reset-password':
        return await users.resetPassword(issuer(), positiveInteger(required(values, 'user'), 'user'), commandLine)
      case 'create-issuer':
        return await issuers.createIssuer({ name: required(values, 'name'), kind: required(values, 'kind'), regionCode: required(values, 'region'), keyExpiresAt: optionalDate(values.expires) })
      case 'list-issuers':
        return await issuers.listIssuers()
      case 'create-key':
        return await issuers.createApiKey(positiveInteger(required(values, 'issuer'), 'issuer'), optionalDate(values.expires))
      default:
        await issuers.revokeApiKey(positiveInteger(required(values, 'issuer'), 'issuer'), positiveInteger(required(values, 'key'), 'key'))
        return { revoked: true }
    }
  } finally {
    await database.close()
  }
}

/** What a command prints and how it exits: 0 and the JSON, 2 and the usage for a wrong command line, 1 and the error as JSON. */
export interface AdminOutcome { exitCode: 0 | 1 | 2, stdout: string, stderr: string }

/** Runs one command of the admin CLI with configuration from `env`, as `npm run admin -- …argv` would. */
export async function adminCommand (argv: string[], env: Record<string, string | undefined> = process.env): Promise<AdminOutcome> {
  try {
    return { exitCode: 0, stdout: `${JSON.stringify(await run(argv, env), null, 2)}\n`, stderr: '' }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SigningCertificateError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      return { exitCode: 2, stdout: '', stderr: `${(error as Error).message}\n\n${usage}\n` }
    }
    const body = isServiceError(error) ? { code: error.code, message: error.message } : { code: 'FAILED', message: error instanceof Error ? error.message : String(error) }
    return { exitCode: 1, stdout: '', stderr: `${JSON.stringify({ error: body })}\n` }
  }
}
