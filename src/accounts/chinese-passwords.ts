// Passwords and words common among Chinese users, which the English-language lists of zxcvbn do not know: the most
// frequent passwords of the published Chinese leak analyses (CSDN, 2011; 12306 and others since), numbers that read
// as phrases (5201314 我爱你一生一世), common pinyin words, and the commonest surnames and given-name syllables.
// Most frequent first: zxcvbn ranks a word by its place in the list.
export const chinesePasswords: readonly string[] = [
  // Passwords (digit strings and keyboard runs zxcvbn finds by itself are left out).
  'woaini1314', '5201314', '1314520', '5211314', '7758521', 'woaini520', 'woaini', 'aini1314', 'iloveyou',
  'qq123456', 'a123456', 'a123456789', 'abc123456', '123456a', '123456abc', '123456789a', 'a12345678', 'a1234567',
  'dearbook', 'xiazhili', 'wodemima', 'mima', 'mima123', 'woshishui', 'nihao', 'nihao123', 'wobuzhidao', 'zhimakaimen',
  '147258369', '789456123', '123654789', '159357', '31415926', '110110110', '520520', '521521', '1314521', '584520',
  '168168', '518518', '888888', '666666', '999999', '8888888888', 'caonima', 'wanmei', 'xingfu', 'kuaile', 'aiqing',
  'tiantian', 'baobao', 'laopo', 'laogong', 'baobei', 'xiaobao', 'xiaoxiao', 'qinqin', 'yangyang', 'lele',
  // Places and words of the trade.
  'zhongguo', 'china', 'beijing', 'shanghai', 'guangzhou', 'shenzhen', 'tianjin', 'chongqing', 'guangdong', 'henan',
  'hangzhou', 'nanjing', 'wuhan', 'chengdu', 'xian', 'tianhe', 'renshe', 'rensheju', 'renshiting', 'renliziyuan',
  'shebao', 'jixujiaoyu', 'jiaoyu', 'zhengshu', 'zhicheng', 'pingshen', 'danwei', 'gongsi', 'bangongshi', 'guanliyuan',
  'jingbanren', 'admin', 'administrator', 'root', 'test', 'ceshi', 'zhanghao', 'yonghu', 'denglu', 'kaifa',
  // Surnames, commonest first.
  'wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo',
  'he', 'gao', 'lin', 'luo', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng', 'zeng',
  'xiao', 'tian', 'dong', 'pan', 'yuan', 'cai', 'jiang', 'yu', 'du', 'ye', 'cheng', 'wei', 'su', 'lu', 'ding', 'ren',
  'shen', 'yao', 'jin', 'fu', 'zhong', 'cui', 'tan', 'liao', 'fan', 'wen', 'shi', 'jia', 'qiu', 'hou', 'bai', 'meng',
  'ouyang', 'sima', 'zhuge', 'shangguan',
  // Given-name syllables and names, commonest first.
  'wei', 'fang', 'na', 'min', 'jing', 'xiuying', 'qiang', 'lei', 'jun', 'yong', 'yan', 'jie', 'juan', 'tao', 'ming',
  'chao', 'xiulan', 'xia', 'ping', 'gang', 'hui', 'hong', 'hua', 'ling', 'long', 'bin', 'bo', 'hao', 'yu', 'xin',
  'jian', 'feng', 'lin', 'dan', 'ying', 'yun', 'mei', 'li', 'qing', 'kai', 'peng', 'fei', 'xiaoming', 'xiaohong',
  'zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'wangwei', 'zhangwei', 'liwei', 'wangfang', 'lina', 'zhangmin', 'lijing',
]
