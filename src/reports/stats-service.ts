// Statistics of an area and year: certificates issued and revoked and hours by category, per child area.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'
import { childRegions, findRegion, regionContains, type Region } from '../regions/region-table.js'
import { sumByRegion } from './report-repository.js'
import { resolveReportArea } from './report-area.js'
import { chinaYear } from '../text/china-time.js'

/** Counts and the hours of valid certificates (revoked ones count as issued and revoked, not in hours). */
export interface AreaFigures {
  issued: number
  revoked: number
  valid: number
  hours: { public: number, professional: number, elective: number, selfStudy: number, total: number }
}

export interface AreaStats extends AreaFigures { code: string, name: string, level: Region['level'] | 'own' }

/** schemas/stats.json */
export interface Stats {
  regionCode: string
  regionName: string
  year: number
  /** Only the caller's own certificates (an employer), or all of the area (an authority). */
  scope: 'area' | 'own'
  total: AreaFigures
  areas: AreaStats[]
}

export type StatsService = ReturnType<typeof createStatsService>

const zero = (): AreaFigures => ({ issued: 0, revoked: 0, valid: 0, hours: { public: 0, professional: 0, elective: 0, selfStudy: 0, total: 0 } })
// Sums of half hours are exact in binary, but credited fractions are not: two decimals are plenty.
const round = (n: number) => Math.round(n * 100) / 100

function add (into: AreaFigures, row: Awaited<ReturnType<typeof sumByRegion>>[number]): void {
  into.issued += row.issued
  into.revoked += row.revoked
  into.valid += row.issued - row.revoked
  into.hours.public = round(into.hours.public + Number(row.public))
  into.hours.professional = round(into.hours.professional + Number(row.professional))
  into.hours.elective = round(into.hours.elective + Number(row.elective))
  into.hours.selfStudy = round(into.hours.selfStudy + Number(row.self_study))
  into.hours.total = round(into.hours.total + Number(row.total))
}

export function createStatsService ({ db, clock }: { db: Kysely<Database>, clock: () => Date }) {
  return {
    /**
     * Figures for an area and year and for each area directly below it (province → cities,
     * city → counties), every child listed even when it has none. Certificates numbered under the
     * area's own code (a city or province issuing for units directly under it) appear as `own`.
     * The area defaults to the caller's own, the year to the current one.
     */
    async readStats (actor: Actor, query: { regionCode?: string, year?: number } = {}): Promise<Stats> {
      const now = clock()
      const year = query.year ?? chinaYear(now)
      const area = resolveReportArea(actor, query.regionCode ?? actor.region.code, year, now)
      const children = childRegions(area.region).sort((a, b) => (a.code < b.code ? -1 : 1))
      const figures = new Map<string, AreaStats>(children.map(c => [c.code, { code: c.code, name: c.name, level: c.level, ...zero() }]))
      const total = zero()
      for (const row of await sumByRegion(db, area.filter)) {
        add(total, row)
        const child = children.find(c => regionContains(c, row.region_code))
        if (child !== undefined) add(figures.get(child.code)!, row)
        else if (area.region.level !== 'county') {
          const own = figures.get(row.region_code) ?? { code: row.region_code, name: `${findRegion(row.region_code)?.name ?? row.region_code}（本级）`, level: 'own' as const, ...zero() }
          add(own, row)
          figures.set(row.region_code, own)
        }
      }
      return {
        regionCode: area.region.code,
        regionName: area.region.fullName,
        year,
        scope: area.filter.issuerId === undefined ? 'area' : 'own',
        total,
        areas: [...figures.values()],
      }
    },
  }
}
