import {createProgress} from '../../src/progress'

function fakeStream(isTTY: boolean) {
  const chunks: string[] = []
  return {
    isTTY,
    columns: 120,
    chunks,
    write(s: string) {
      chunks.push(s)
      return true
    },
    on() {},
    removeListener() {},
    cursorTo() {
      return true
    },
    clearLine() {
      return true
    },
  } as unknown as NodeJS.WriteStream & {chunks: string[]}
}

describe('progress', () => {
  it('without a terminal prints a line with done/total, rate and ETA every interval', () => {
    let t = 0
    const stream = fakeStream(false)
    const p = createProgress('Deactivating users', 5000, {stream, intervalSeconds: 5, now: () => t})
    t = 1000
    p.advance(500)
    expect(stream.chunks).toEqual([])
    t = 5000
    p.advance(500)
    t = 10_000
    p.advance(1000)
    p.done()
    expect(stream.chunks).toEqual(['Deactivating users: 1,000/5,000 (20%), 200/s, ETA 20 s\n', 'Deactivating users: 2,000/5,000 (40%), 200/s, ETA 15 s\n'])
    // done() after more work since the last line prints the final state.
    const q = createProgress('x', 10, {stream, intervalSeconds: 1, now: () => t})
    t += 2000
    q.advance(10)
    t += 100
    q.advance(0)
    expect(stream.chunks.at(-1)).toBe('x: 10/10 (100%), 5/s, ETA 0 s\n')
  })

  it('prints nothing for work shorter than one interval', () => {
    let t = 0
    const stream = fakeStream(false)
    const p = createProgress('x', 10, {stream, intervalSeconds: 5, now: () => t})
    t = 100
    p.advance(10)
    p.done()
    expect(stream.chunks).toEqual([])
  })

  it('on a terminal draws a bar with the counts', () => {
    const stream = fakeStream(true)
    const p = createProgress('Deleting posts', 20_000, {stream})
    p.advance(5000)
    p.done()
    const all = stream.chunks.join('')
    expect(all).toContain('Deleting posts [')
    expect(all).toContain('5,000/20,000 25%')
  })
})
