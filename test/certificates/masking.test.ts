import t from 'tap'
import { maskName } from '../../src/certificates/masking.js'

t.test('names are masked keeping the first and last character', async t => {
  t.equal(maskName('张三'), '张*')
  t.equal(maskName('张小三'), '张*三')
  t.equal(maskName('欧阳娜娜'), '欧**娜')
  t.equal(maskName('买买提·艾力'), '买****力')
  t.equal(maskName('王'), '*')
  t.equal(maskName('𠮷田花子'), '𠮷**子', 'a character outside the BMP counts as one')
})
