import {inspectList, inspectString, normalizeTags} from '../../src/services/user-tags'

describe('inspectList (Elixir inspect/1 of a list of strings)', () => {
  it('prints [] and double-quoted, comma-separated strings', () => {
    expect(inspectList([])).toBe('[]')
    expect(inspectList(['a', 'mrf_tag:sandbox', 'äö 😀'])).toBe('["a", "mrf_tag:sandbox", "äö 😀"]')
  })

  it('escapes ", \\, #{ and control characters as Elixir does', () => {
    expect(inspectString('say "hi"')).toBe('"say \\"hi\\""')
    expect(inspectString('a\\b')).toBe('"a\\\\b"')
    expect(inspectString('#{x} # {')).toBe('"\\#{x} # {"')
    expect(inspectString('\n\r\t\v\b\f\x1b\x7f\x07')).toBe('"\\n\\r\\t\\v\\b\\f\\e\\d\\a"')
  })

  it('shows a string with a non-printable character as bytes', () => {
    expect(inspectString('a\x01b')).toBe('<<97, 1, 98>>')
    expect(inspectString('é\x85')).toBe('<<195, 169, 194, 133>>')
  })
})

describe('normalizeTags', () => {
  it('lower-cases, Unicode-aware, and changes nothing else', () => {
    expect(normalizeTags(['MRF_TAG:Sandbox', ' Ünï ', '#Tag', 'ΣΑΣ'])).toEqual(['mrf_tag:sandbox', ' ünï ', '#tag', 'σας'])
  })
})
