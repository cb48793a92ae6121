import t from 'tap'
import { explainIdNumber, idCheckCharacter, normaliseIdNumber } from '../../src/certificates/id-number.js'

const today = new Date('2026-11-23T00:00:00Z')

t.test('the GB 11643 check digit of published examples', async t => {
  t.equal(idCheckCharacter('11010519491231002'), 'X')
  t.equal(idCheckCharacter('44052418800101001'), '4')
  t.equal(explainIdNumber('11010519491231002X', today), null)
  t.equal(explainIdNumber('11010519491231002x', today), null, 'a lowercase x is accepted')
  t.equal(normaliseIdNumber('11010519491231002x'), '11010519491231002X')
})

t.test('a wrong check digit, date or shape is refused with its reason', async t => {
  t.match(explainIdNumber('110105194912310021', today), /check digit/)
  t.match(explainIdNumber('110105194902300028', today), /date of birth/, 'February 30th')
  t.match(explainIdNumber('110105203001010021', today), /future|date of birth/)
  t.match(explainIdNumber('11010519491231002', today), /17 digits/)
  t.match(explainIdNumber('11010519491231002Y', today), /17 digits/)
  t.match(explainIdNumber('１１０１０５１９４９１２３１００２X', today), /17 digits/, 'full-width digits')
})

t.test('every single-digit change of a valid number is caught', async t => {
  const valid = '11010519491231002X'
  let caught = 0
  let tried = 0
  for (let i = 14; i < 17; i++) {
    for (let d = 0; d <= 9; d++) {
      if (String(d) === valid[i]) continue
      tried++
      if (explainIdNumber(valid.slice(0, i) + d + valid.slice(i + 1), today) !== null) caught++
    }
  }
  t.equal(caught, tried)
})
