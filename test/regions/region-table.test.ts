import t from 'tap'
import { childRegions, findRegion, regionContains } from '../../src/regions/region-table.js'

t.test('GB/T 2260 spot checks', async t => {
  const expected: Record<string, [string, string]> = {
    440106: ['county', '广东省广州市天河区'],
    440304: ['county', '广东省深圳市福田区'],
    410105: ['county', '河南省郑州市金水区'],
    510107: ['county', '四川省成都市武侯区'],
    110101: ['county', '北京市东城区'],
    429004: ['county', '湖北省仙桃市'],
    441900: ['county', '广东省东莞市'],
    440100: ['city', '广东省广州市'],
    440000: ['province', '广东省'],
  }
  for (const [code, [level, fullName]] of Object.entries(expected)) t.match(findRegion(code), { level, fullName }, code)
  t.equal(findRegion('440199'), undefined)
  t.equal(findRegion('990000'), undefined)
  t.equal(findRegion('110100'), undefined, 'a municipality has no city-level code')
})

t.test('a province covers its cities and counties, a city its counties', async t => {
  const guangdong = findRegion('440000')!
  const guangzhou = findRegion('440100')!
  const tianhe = findRegion('440106')!
  t.ok(regionContains(guangdong, '440106'))
  t.ok(regionContains(guangzhou, '440106'))
  t.notOk(regionContains(guangzhou, '440304'))
  t.ok(regionContains(tianhe, '440106'))
  t.notOk(regionContains(tianhe, '440105'))
  t.notOk(regionContains(guangdong, '410105'))
})

t.test('children: Guangdong has 21 prefecture-level divisions, Guangzhou 11 districts', async t => {
  const cities = childRegions(findRegion('440000')!)
  t.equal(cities.length, 21)
  t.ok(cities.some(c => c.code === '441900'), '东莞市 has no counties and is listed as a child')
  t.equal(childRegions(findRegion('440100')!).length, 11)
})
