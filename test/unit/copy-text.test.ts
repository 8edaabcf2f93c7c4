import {copyField, parseArrayLiteral} from '../../src/db/copy-text'

describe('PostgreSQL text formats (src/db/copy-text.ts)', () => {
  it('copyField reads NULL and every backslash sequence COPY writes', () => {
    expect(copyField('\\N')).toBeNull()
    expect(copyField('plain "text"')).toBe('plain "text"')
    expect(copyField('a\\\\b\\tc\\nd\\re\\bf\\fg\\vh')).toBe('a\\b\tc\nd\re\bf\fg\vh')
    expect(copyField('\\\\N')).toBe('\\N')
    expect(copyField('\\101\\x42')).toBe('AB')
  })

  it('parseArrayLiteral reads quoted and unquoted elements, escapes and NULL', () => {
    expect(parseArrayLiteral('{}')).toEqual([])
    expect(parseArrayLiteral('{a,b}')).toEqual(['a', 'b'])
    expect(parseArrayLiteral('{"with,comma","with space","{braces}","NULL","",NULL,"back\\\\slash \\"q\\""}')).toEqual([
      'with,comma',
      'with space',
      '{braces}',
      'NULL',
      '',
      null,
      'back\\slash "q"',
    ])
    expect(() => parseArrayLiteral('a,b')).toThrow('not an array literal')
  })
})
