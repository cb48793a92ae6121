// The area and year a register or statistic is asked for, checked against the caller's scope.
import { ServiceError } from '../errors.js'
import { firstYear } from '../certificates/certificate-number.js'
import type { Actor } from '../actors/actor.js'
import { reportScope } from '../issuers/issuer-scope.js'
import { findRegion, unknownRegionWording, type Region } from '../regions/region-table.js'
import type { AreaFilter } from './report-repository.js'
import { chinaYear } from '../text/china-time.js'

export interface ReportArea { region: Region, filter: AreaFilter }

const prefixLength = { province: 2, city: 4, county: 6 } as const

/** The region, year and record filter of a report; throws UNKNOWN_REGION, INVALID_YEAR or OUT_OF_SCOPE. */
export function resolveReportArea (actor: Actor, regionCode: string, year: number, now: Date): ReportArea {
  const region = findRegion(regionCode)
  if (region === undefined) throw new ServiceError('UNKNOWN_REGION', unknownRegionWording(regionCode))
  if (!Number.isInteger(year) || year < firstYear || year > chinaYear(now)) {
    throw new ServiceError('INVALID_YEAR', { en: `The year must be from ${firstYear} to ${chinaYear(now)}; ${year} is not.`, zh: `年度须在 ${firstYear} 至 ${chinaYear(now)} 年之间，${year} 不在此范围内。` })
  }
  const scope = reportScope(actor, region)
  if (scope === null) throw new ServiceError('OUT_OF_SCOPE', { en: `${region.fullName} (${region.code}) is outside the area ${actor.name} may report on.`, zh: `${region.fullName}（${region.code}）超出${actor.name}的管辖范围，无权查看其名册和统计。` })
  return { region, filter: { prefix: region.code.slice(0, prefixLength[region.level]), year, ...scope } }
}
