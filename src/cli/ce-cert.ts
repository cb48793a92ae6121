// ce-cert verify: checks a certificate PDF, token or QR text offline, with nothing but a saved JWKS and revocation lists.
import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createOfflineVerifier, OfflineVerifierError } from '../verification/offline-verifier.js'
import type { Presentation } from '../verification/presented-token.js'
import { checkTitles, type VerificationReport } from '../verification/verification-report.js'
import { chinaDateTime } from '../text/china-time.js'

const usage = `用法 Usage:
  ce-cert verify <certificate.pdf | token | QR text | file> --jwks <jwks.json> [--revocations <kid.jws | folder>]...
                 [--no-revocation-check] [--origin <https://service address>]... [--json]

  --jwks                 公钥集，保存自 <服务地址>/.well-known/jwks.json
                         the JWKS saved from <service>/.well-known/jwks.json
  --revocations          已签名的撤销列表，保存自 <服务地址>/.well-known/crl/<kid>.jws，或存放这些文件的目录（可多次给出）
                         a signed revocation list saved from <service>/.well-known/crl/<kid>.jws, or a folder of them (repeatable)
  --no-revocation-check  明知不核查撤销状态：只核验签名，结论注明撤销状态未知
                         knowingly verify the signature only: the verdict says the revocation state is unknown
  --origin               本服务的网址（二维码须指向它）；默认取公钥集中的 origins
                         the service's address a QR code must point to; by default the origins in the JWKS
  --json                 以 JSON 输出核验报告 / print the report as JSON

退出码 Exit status:
  0  有效：签名有效，撤销列表在有效期内且未列入（或明确给出 --no-revocation-check）
     valid: the signature holds and a current revocation list does not name it (or --no-revocation-check was given)
  1  无效或伪造：PDF 被篡改或并非本服务签发、签名不符、二维码网址不属于本服务，或无法读取
     invalid or altered: a PDF forged or changed, a signature that fails, a QR code pointing elsewhere, or unreadable
  2  用法错误（参数、文件、公钥集或撤销列表无法使用）/ usage error (arguments, files, JWKS or revocation list unusable)
  3  已撤销 / revoked
  4  无法确定：签名有效，但没有有效期内的撤销列表 / unknown: the signature holds but no current revocation list covers it
不连接网络，不使用数据库。Uses no network and no database.`

class UsageError extends Error {}

const verdictLines: Record<VerificationReport['verdict'], string> = {
  valid: '有效 VALID',
  revoked: '已撤销 REVOKED',
  invalid: '无效 INVALID',
  altered: '伪造或被篡改 ALTERED — 不是本服务签发时的 PDF not the PDF this service signed',
  unknown: '无法确定 UNKNOWN — 签名有效，撤销状态未知 the signature holds, the revocation state is unknown',
}
const exitCodes: Record<VerificationReport['verdict'], number> = { valid: 0, invalid: 1, altered: 1, revoked: 3, unknown: 4 }

/** A time as people in China read it: China Standard Time, UTC+8 all year. */
const chinaTime = (iso: string) => `${chinaDateTime(iso)} 北京时间 China Standard Time (UTC+8)`

/** A file given by name is read (a PDF by its header); anything else is the token or QR text itself. */
async function presentationOf (input: string): Promise<Presentation> {
  if (/^\s*\d{14}\s*$/.test(input) && !existsSync(input)) {
    throw new UsageError('这是证书编号：请在线查验（<服务地址>/v/<编号>），或给出证书 PDF、二维码内容或签名数据。\nThis is a certificate number: look it up online (<service>/v/<number>), or give the PDF, the QR text or the token.')
  }
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
      `  学时 Hours:        ${c.hours.total}（公需 public ${c.hours.public}，专业 professional ${c.hours.professional}，选修 elective ${c.hours.elective}${c.hours.selfStudy > 0 ? `，自学 self-study ${c.hours.selfStudy}` : ''}）`,
      ...(c.issuer === undefined ? [] : [`  发证单位 Issuer:   ${c.issuer.name}`]),
      ...(c.employerName === undefined ? [] : [`  工作单位 Employer: ${c.employerName}`]),
      `  签发时间 Issued:   ${chinaTime(c.issuedAt)}`,
      ...(c.revokedAt === undefined ? [] : [`  撤销时间 Revoked:  ${chinaTime(c.revokedAt)}`]),
      ...(c.issuer === undefined ? ['  二维码只签名编号、姓名、年度、学时和签发时间。The QR code signs the number, name, year, hours and issue time only.'] : []),
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
      options: {
        jwks: { type: 'string' },
        revocations: { type: 'string', multiple: true },
        'no-revocation-check': { type: 'boolean' },
        origin: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
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
  const checkRevocation = values['no-revocation-check'] !== true
  if (!checkRevocation && (values.revocations ?? []).length > 0) throw new UsageError('--no-revocation-check 与 --revocations 不能同时使用。Give either --revocations or --no-revocation-check, not both.')

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
  const verifier = await createOfflineVerifier({ jwks, revocationLists, checkRevocation, ...(values.origin === undefined ? {} : { trustedBaseUrls: values.origin.map(o => o.replace(/\/+$/, '')) }) })
  const report = await verifier.verify(await presentationOf(positionals[1]!))
  if (values.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else print(report)
  // Knowingly unchecked: the verdict says so, and the signature alone is what was asked.
  if (!checkRevocation && report.verdict === 'unknown' && report.checks.at(-1)?.skipped === true) return 0
  return exitCodes[report.verdict]
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
