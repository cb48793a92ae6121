// GET /console…: the console's server-rendered pages (sign-in, the screens by role) and its own assets, under a strict CSP.
// Every action on a page is the browser's call to the JSON API with the session cookie and its CSRF token.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { LiveSession, SessionService } from '../accounts/session-service.js'
import { roleNames } from '../accounts/user-service.js'
import { projectFile } from '../project-files.js'
import { chinaYear } from '../text/china-time.js'
import { kindNames, sessionCookieName } from './authentication.js'
import { holderDownloadBody, renderConsolePage, reportConfirmationBody, signInBody, type ConsolePageView } from './console-page.js'
import { findScreen, mayOpen, screenBody, screens, type Screen } from './console-screens.js'

export interface ConsoleRoutesOptions {
  sessions: SessionService
  clock: () => Date
}

// Nothing but this origin's own files and API; blob: for files the script prepared (a seal's preview, a download).
const consoleSecurityHeaders = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
}

const assetFiles = ['console.css', 'console.js', ...new Set(screens.flatMap(s => (s.script === undefined ? [] : [s.script]))), 'console-download.js', 'console-report.js']

interface Asset { body: Buffer, type: string, url: string }

function loadAssets (): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  for (const file of assetFiles) {
    const body = readFileSync(projectFile(`src/http/page-assets/${file}`))
    const version = createHash('sha256').update(body).digest('hex').slice(0, 12)
    const type = file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8'
    assets.set(file, { body, type, url: `/console/assets/${file}?v=${version}` })
  }
  return assets
}

const signInNotices: Record<string, string> = {
  expired: '登录已超时或已失效，请重新登录。',
  'signed-out': '您已退出登录。',
  'password-changed': '密码已修改，请用新密码登录。',
}

export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, { sessions, clock }) => {
  const assets = loadAssets()
  const urlOf = (file: string) => assets.get(file)!.url
  const send = (reply: FastifyReply, status: number, view: Omit<ConsolePageView, 'assets'>, scripts: string[]) =>
    reply.code(status).headers(consoleSecurityHeaders).type('text/html; charset=utf-8')
      .send(renderConsolePage({ ...view, assets: { style: urlOf('console.css'), scripts: ['console.js', ...scripts].map(urlOf) } }))

  app.get<{ Params: { file: string } }>('/console/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const asset = assets.get(request.params.file)
    if (asset === undefined) return reply.callNotFound()
    return reply.type(asset.type).header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').send(asset.body)
  })

  /** The live session of the cookie; undefined without one; 'expired' when the cookie names no live session. */
  async function sessionOfPage (request: FastifyRequest): Promise<LiveSession | 'expired' | undefined> {
    const cookie = request.cookies[sessionCookieName]
    if (cookie === undefined || cookie === '') return undefined
    return (await sessions.resolve(cookie)) ?? 'expired'
  }

  function signInPage (request: FastifyRequest, reply: FastifyReply, reason?: string) {
    const query = request.query as { reason?: string }
    const notice = signInNotices[reason ?? query.reason ?? '']
    return send(reply, 200, { title: '登录', screen: 'sign-in', body: signInBody(notice) }, [])
  }

  async function screenPage (request: FastifyRequest, reply: FastifyReply, id: string) {
    if (id === 'sign-in') return signInPage(request, reply)
    // Public: a holder has no account.
    if (id === 'download') return send(reply, 200, { title: '证书自助下载', screen: 'download', body: holderDownloadBody() }, ['console-download.js'])
    if (id === 'report') return send(reply, 200, { title: '核验报告核实', screen: 'report', body: reportConfirmationBody() }, ['console-report.js'])
    const screen = findScreen(id)
    if (screen === undefined) return send(reply, 404, { title: '页面不存在', screen: 'not-found', body: '<p>没有这个页面。</p><p><a href="/console">返回首页</a></p>' }, [])
    const session = await sessionOfPage(request)
    if (session === undefined) return reply.redirect('/console/sign-in', 303)
    if (session === 'expired') return reply.redirect('/console/sign-in?reason=expired', 303)
    const { actor } = session
    const who = { kind: actor.kind, role: actor.user.role }
    const nav: Screen[] = screens.filter(s => s.nav && mayOpen(s, who))
    // A temporary password opens nothing but the password screen.
    const shown = session.mustChangePassword ? findScreen('password')! : screen
    request.session = { _csrf: session.csrfSecret }
    const signedIn = {
      person: { displayName: actor.user.displayName, roleName: roleNames[actor.user.role], organisation: actor.name, kindName: kindNames[actor.kind] },
      nav: session.mustChangePassword ? [] : nav,
      csrfToken: reply.generateCsrf(),
    }
    if (!mayOpen(shown, who)) {
      const body = `<p class="error" role="alert">${roleNames[actor.user.role]}（${kindNames[actor.kind]}）无权使用“${shown.title}”。</p><p><a href="/console">返回首页</a></p>`
      return send(reply, 403, { title: shown.title, screen: shown.id, body, signedIn }, [])
    }
    const body = screenBody(shown, { visible: nav, year: chinaYear(clock()), regionCode: actor.region.code, organisation: actor.name, mustChangePassword: session.mustChangePassword })
    return send(reply, 200, { title: shown.title, screen: shown.id, body, signedIn }, shown.script === undefined ? [] : [shown.script])
  }

  const page = { schema: { hide: true } }
  app.get('/console', page, async (request, reply) => screenPage(request, reply, 'home'))
  app.get<{ Params: { screen: string }, Querystring: { reason?: string } }>('/console/:screen', page, async (request, reply) => screenPage(request, reply, request.params.screen))
}
