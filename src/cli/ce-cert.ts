// ce-cert verify: checks a certificate PDF, token or QR text offline, with nothing but a saved JWKS and revocation lists.
import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createOfflineVerifier, OfflineVerifierError } from '../verification/offline-verifier.js'
import type { Presentation } from '../verification/presented-token.js'
import { checkTitles, type VerificationReport } from '../verification/verification-report.js'

const usage = `用法 Usage:
  ce-cert verify <certificate.pdf | token | QR text | file> --jwks <jwks.json> [--revocations <kid.jws | folder>]... [--json]

  --jwks          公钥集，保存自 <服务地址>/.well-known/jwks.json
                  the JWKS saved from <service>/.well-known/jwks.json
  --revocations   已签名的撤销列表，保存自 <服务地址>/.well-known/crl/<kid>.jws，或存放这些文件的目录
                  （可多次给出）；不给则不核查撤销状态
                  a signed revocation list saved from <service>/.well-known/crl/<kid>.jws, or a folder of
                  them (repeatable); without one, revocation is not checked
  --json          以 JSON 输出核验报告 / print the report as JSON

退出码 Exit status: 0 有效 valid · 1 无效、已撤销或无法确定 invalid, revoked or unknown · 2 用法错误 usage error
不连接网络，不使用数据库。Uses no network and no database.`

class UsageError extends Error {}

const verdictLines: Record<VerificationReport['verdict'], string> = {
  valid: '有效 VALID',
  revoked: '已撤销 REVOKED',
  invalid: '无效 INVALID',
  unknown: '无法确定 UNKNOWN',
}

/** A file given by name is read (a PDF by its header); anything else is the token or QR text itself. */
async function presentationOf (input: string): Promise<Presentation> {
  if (!existsSync(input)) {
    if (/\.(pdf|jws|txt)$/i.test(input)) throw new UsageError(`找不到文件 No such file: ${input}`)
    return { qr: input }
  }
  const bytes = await readFile(input)
  if (bytes.subarray(0, 1024).includes('%PDF-')) return { pdf: bytes }
  return { qr: bytes.toString('utf8') }
}

function print (report: VerificationReport): void {
  const lines = [`结论 Verdict: ${verdictLines[report.verdict]}`]
  const c = report.certificate
  if (c !== undefined) {
    lines.push(
      '',
      `  证书编号 Number:   ${c.number}`,
      `  姓名 Holder:       ${c.holderName}`,
      `  年度 Year:         ${c.year}`,
      `  学时 Hours:        ${c.hours.total}`,
      `  发证单位 Issuer:   ${c.issuer.name}`,
      `  工作单位 Employer: ${c.employerName}`,
      `  签发时间 Issued:   ${c.issuedAt}`,
      ...(c.revokedAt === undefined ? [] : [`  撤销时间 Revoked:  ${c.revokedAt}`]),
      '  请与纸质证书上印的编号和姓名核对。Compare the number and name with those printed on the certificate.',
    )
  }
  lines.push('', '核验项目 Checks:')
  for (const check of report.checks) {
    const mark = check.skipped === true ? '–' : check.ok ? '✓' : '✗'
    const title = checkTitles[check.name]
    lines.push(`  ${mark} ${title.zh} ${title.en}`, `      ${check.reasonZh}`, `      ${check.reason}`)
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { jwks: { type: 'string' }, revocations: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  if (positionals[0] !== 'verify' || positionals.length !== 2) throw new UsageError('请给出命令 verify 和一个待核验的证书。Give the command verify and one certificate to check.')
  if (values.jwks === undefined) throw new UsageError('缺少 --jwks。--jwks is required.')

  let jwks: unknown
  try {
    jwks = JSON.parse(await readFile(values.jwks, 'utf8'))
  } catch (error) {
    throw new UsageError(`无法读取公钥集 Cannot read the JWKS ${values.jwks}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const revocationLists: string[] = []
  for (const given of values.revocations ?? []) {
    try {
      // A folder stands for every list saved in it (*.jws).
      const files = (await stat(given)).isDirectory() ? (await readdir(given)).filter(f => f.endsWith('.jws')).sort().map(f => path.join(given, f)) : [given]
      for (const file of files) revocationLists.push(await readFile(file, 'utf8'))
    } catch (error) {
      throw new UsageError(`无法读取撤销列表 Cannot read the revocation list ${given}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const verifier = await createOfflineVerifier({ jwks, revocationLists })
  const report = await verifier.verify(await presentationOf(positionals[1]!))
  if (values.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else print(report)
  return report.verdict === 'valid' ? 0 : 1
}

main(process.argv.slice(2)).then(code => { process.exitCode = code }, (error: unknown) => {
  if (error instanceof UsageError || error instanceof OfflineVerifierError) {
    process.stderr.write(`${error.message}\n\n${usage}\n`)
    process.exitCode = 2
    return
  }
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  process.exitCode = 2
})
